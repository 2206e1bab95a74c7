"""Admin tests run Django against a real MariaDB (see appliance/admin/testing.py)."""

from appliance.admin.testing import (
    _english_after_each_test,
    admin_database,
    admin_db,
    configure_django,
)

configure_django()

__all__ = ["_english_after_each_test", "admin_database", "admin_db"]
