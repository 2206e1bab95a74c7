"""The agency's integration tests share one admin database (``admin_database``, tests/plugin.py);
the admin's models must be importable when they are collected."""

from testkit.admin import configure_django

configure_django()
