"""The Apply Dialplan tests share one admin database and serve the admin over HTTPS
(``admin_database``, ``committed_admin_db``, ``admin_server``: tests/plugin.py)."""

import testkit.dialplan  # noqa: F401  (sets Django up before the test modules import models)
