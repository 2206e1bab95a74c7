"""Bad ACP input at volume (issue 14): a few thousand generated messages from many sessions
at once against the real agency (a real Asterisk unit, the admin's model in MariaDB, a real
license). Every message is answered as the protocol says, the control terminal keeps working,
the process lives and nothing it holds per connection is left behind.
The 100,000-message run: ``make bench-acp-fuzz``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit.acp_fuzz import CONTROL, fuzz, fuzz_model
from testkit.agency import Agency, make_license, write_agency

pytestmark = pytest.mark.integration


@pytest.fixture
def fuzz_agency(admin_database: Any, asterisk_unit: Any, tmp_path: Path) -> Iterator[Any]:
    unit = asterisk_unit({"queues.d/fuzz.conf": "[fuzz]\nstrategy = rrmemory\n"})
    with fuzz_model(unit, operators=4) as operators:
        running = write_agency(tmp_path, admin_database, make_license(tmp_path))
        running.start()
        try:
            yield running, operators
        finally:
            running.stop()
            with admin_database.connect() as connection, connection.cursor() as cursor:
                cursor.execute(
                    "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition,"
                    " agency_call"
                )


async def test_thousands_of_bad_messages_are_each_answered(fuzz_agency: Any) -> None:
    agency: Agency
    agency, operators = fuzz_agency
    report = await fuzz(
        agency.url, messages=4000, sessions=24, control=CONTROL, operators=operators, seed=14
    )
    print(report.summary())
    assert report.problems() == [], report.summary()
    assert report.sent == report.answered() == 4000
    assert {"malformed", "oversized", "unknown_action", "invalid_data", "not_logged_in"} <= set(
        report.answers
    ), report.answers
    assert agency.process is not None and agency.process.poll() is None, agency.tail()
    status = agency.status(agency.token)
    assert status["status"] == "running"
    assert status["records"]["dropped"] == 0, status
    # every fuzzing connection is gone: the agency keeps nothing of them
    assert status["terminals"] == 0, status
