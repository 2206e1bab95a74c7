"""Fixtures of the webagent browser tests: the admin served to its units (Apply Dialplan,
tests/plugin.py) and the site (testkit/webagent_site.py: unit + agency + carrier + the built app
on a local static server)."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.webagent_site import Site, build_webagent, running_site


@pytest.fixture(scope="session")
def webagent_dist() -> Iterator[Path]:
    """The app built from the sources (npm ci when node_modules is missing) into a temp dir."""
    out = Path(tempfile.mkdtemp(prefix="uzor-webagent-dist-"))
    yield build_webagent(out)
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def webagent_site(
    request: pytest.FixtureRequest,
    *,
    tmp_path: Path,
    asterisk_unit: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
    webagent_dist: Path,
) -> Iterator[Site]:
    """Parameters (indirect): {"hide": bool, "max_operators": int, "script": bool,
    "pause_limit": seconds}. With "script" the inbound topic's script is the app's example
    page, served on its own origin."""
    with running_site(
        getattr(request, "param", {}) or {},
        tmp_path=tmp_path,
        units=asterisk_unit,
        admin_server=admin_server,
        admin_database=admin_database,
        carrier=carrier,
        webagent_dist=webagent_dist,
    ) as built:
        yield built


@pytest.fixture
def agent_browser(webagent_site: Site, browser: Any) -> Any:
    """The ``browser`` fixture started after the site: the site's Django work must run before
    Playwright's event loop runs in this thread."""
    return browser
