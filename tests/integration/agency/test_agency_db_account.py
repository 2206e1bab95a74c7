"""The agency with its own database account, granted exactly what the configurator grants it
(``configurator.core.dbsetup.agency_grants``, from appliance/contracts/tables.py): the real agency
logs an operator in, tracks time and keeps its session; the same account is refused the admin's
other tables and any change to the admin's tables."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pymysql
import pytest

from configurator.core.dbsetup import AppAccount, Server, ensure_agency_grants, ensure_user
from testkit.agency import Agency, Terminal, make_license, write_agency
from tests.integration.agency.test_agency import QUEUES, call_center_model, member_line

pytestmark = pytest.mark.integration

ACCESS_DENIED = (1142, 1143, 1044)  # table, column, database access denied


@pytest.fixture
def agency_account(mariadb: Any, admin_database: Any) -> Iterator[Any]:
    """The admin's test database as the agency's own account sees it."""
    server = Server(
        admin_user=mariadb.user,
        admin_password=mariadb.password,
        host=mariadb.host,
        port=mariadb.port,
    )
    account = AppAccount(
        database=admin_database.name,
        user=f"ag_{secrets.token_hex(4)}",
        password=secrets.token_urlsafe(24),
        host="127.0.0.1",
    )
    ensure_user(server, account)
    ensure_agency_grants(server, account)
    try:
        yield dataclasses.replace(admin_database, user=account.user, password=account.password)
    finally:
        with mariadb.connect() as conn, conn.cursor() as cur:
            cur.execute("DROP USER IF EXISTS %s@'127.0.0.1'", (account.user,))


@pytest.fixture
def unit(admin_database: Any, asterisk_unit: Any) -> Iterator[Any]:
    running = asterisk_unit(QUEUES)
    with call_center_model(admin_database, running):
        yield running


@pytest.fixture
def agency(agency_account: Any, unit: Any, tmp_path: Path) -> Iterator[Agency]:
    running = write_agency(tmp_path, agency_account, make_license(tmp_path))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def refusal(db: Any, sql: str) -> int:
    """The error number MariaDB answers ``sql`` with as ``db``'s user (0: allowed)."""
    with db.connect(autocommit=True) as conn, conn.cursor() as cur:
        try:
            cur.execute(sql)
        except pymysql.err.MySQLError as exc:
            return int(exc.args[0])
    return 0


async def wait_for(check: Any, what: str, agency: Agency) -> None:
    for _ in range(150):
        if check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\nagency log:\n{agency.tail()}")


async def test_the_agency_works_with_its_own_account(
    agency: Agency, agency_account: Any, unit: Any
) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = Terminal(await http.ws_connect(f"{agency.url}/ws"))
        reply = await terminal.login()  # operator, groups, workplace, topics, a session place
        assert reply["name"] == "login.result", (reply, agency.tail())
        assert reply["data"]["groups"] == [{"name": "support", "description": "Support line"}]
        assert reply["data"]["outbound_topics"][0]["prefix"] == "111"
        await wait_for(lambda: "PJSIP/201" in member_line(unit), "QueueAdd", agency)
        reply = await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        assert reply["data"]["state"] == "pause", reply
        await wait_for(lambda: "paused:lunch" in member_line(unit), "pause", agency)
        assert (await terminal.call("logout"))["name"] == "logout.result"

    with agency_account.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT mode, state, reason FROM agency_interval WHERE agent = '101'")
        assert ("inbound", "ready", None) in cur.fetchall()
    status = agency.status(agency.token)
    assert status["units"][0]["link"] == "up"
    assert "denied" not in agency.tail(400).lower()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT password FROM auth_user",
        "SELECT session_data FROM django_session",
        "SELECT * FROM callcenter_gateway",
        "SELECT * FROM callcenter_revision",
        "UPDATE callcenter_operator SET is_active = 1",
        "INSERT INTO callcenter_changecounter (id, value) VALUES (99, 1)",
        "DELETE FROM callcenter_pbxunit",
        "DROP TABLE callcenter_sound",
        "ALTER TABLE callcenter_operator ADD COLUMN x INT",
        "CREATE TABLE agency_other (id INT)",
    ],
)
def test_the_agencys_account_is_refused_what_it_does_not_need(
    agency_account: Any, sql: str
) -> None:
    assert refusal(agency_account, sql) in ACCESS_DENIED
