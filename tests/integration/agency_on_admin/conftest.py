"""Fixtures of the agency-on-admin tests: the admin served over HTTP to its units (Apply
Dialplan), one admin database for all of them, the site (admin_site.py)."""

from tests.integration.dialplan.support import admin_database, admin_server, committed_admin_db

from tests.integration.agency_on_admin.admin_site import site  # isort: skip

__all__ = ["admin_database", "admin_server", "committed_admin_db", "site"]
