"""Fixtures of the agency-on-admin tests: the admin served over HTTP to its units (Apply
Dialplan), one admin database for all of them."""

from tests.integration.dialplan.support import admin_database, admin_server, committed_admin_db

__all__ = ["admin_database", "admin_server", "committed_admin_db"]
