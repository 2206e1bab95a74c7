"""Admin tests run Django against a real MariaDB (see appliance/admin/testing.py)."""

from appliance.admin.testing import admin_database, admin_db, configure_django

configure_django()

__all__ = ["admin_database", "admin_db"]
