"""Fixtures of the agency-on-admin tests: the admin served over HTTPS to its units (Apply
Dialplan, tests/plugin.py) and the site (testkit/agency_site.py)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.agency_site import Site, running_site


@pytest.fixture
def site(
    request: pytest.FixtureRequest,
    *,
    tmp_path: Path,
    asterisk_unit: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
) -> Iterator[Site]:
    """Parameter (indirect): hide the caller's number on the topic."""
    with running_site(
        tmp_path=tmp_path,
        units=asterisk_unit,
        admin_server=admin_server,
        admin_database=admin_database,
        carrier=carrier,
        hide_caller_number=getattr(request, "param", False),
    ) as built:
        yield built
