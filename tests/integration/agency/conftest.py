"""Fixtures of the agency's integration tests (one admin database for all of them)."""

from appliance.admin.testing import admin_database, configure_django

configure_django()

__all__ = ["admin_database"]
