"""Fixtures of the webagent browser tests: the admin served to its units (Apply Dialplan), the
site (site.py: unit + agency + carrier + the built app on a local static server)."""

from tests.integration.dialplan.support import admin_database, admin_server, committed_admin_db

from tests.integration.webagent.site import agent_browser, webagent_dist, webagent_site  # isort: skip

__all__ = [
    "admin_database",
    "admin_server",
    "agent_browser",
    "committed_admin_db",
    "webagent_dist",
    "webagent_site",
]
