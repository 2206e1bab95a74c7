"""The agency against a real Asterisk 22 unit, the admin's model in a real MariaDB, and a real
license: login/logout and pause reasons in ``queue show``, Asterisk restarted mid-session, agency
restarted mid-session, bad ACP input, REST/GUI auth, no license."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.agency import (
    PASSWORD,
    REPO,
    WORKPLACE_MAC,
    Agency,
    Terminal,
    make_license,
    until,
    write_agency,
)

pytestmark = pytest.mark.integration

QUEUES = {"queues.d/support.conf": "[support]\nstrategy = rrmemory\nringinuse = no\n"}


@contextlib.contextmanager
def call_center_model(db: Any, unit: Any, hide_number: bool = False) -> Iterator[None]:
    """The admin's model for the tests, created with its Django models, removed afterwards."""
    from appliance.admin.callcenter.models import (
        Group,
        InboundTopic,
        Membership,
        Operator,
        OutboundTopic,
        PbxUnit,
        Workplace,
    )

    group = Group.objects.create(name="support", description="Support line")
    operator = Operator(agent_number="101", first_name="Ivan", wrapup_time=2)
    operator.set_password(PASSWORD)
    operator.save()
    Membership.objects.create(operator=operator, group=group, priority=1)
    workplace = Workplace.objects.create(number="201", mac=WORKPLACE_MAC)
    topic = OutboundTopic.objects.create(prefix="111", description="Sales")
    inbound = InboundTopic.objects.create(
        number="7100",
        description="Hotline",
        group=group,
        script_url="https://crm.test/script?t=7100",
        hide_caller_number=hide_number,
    )
    pbx = PbxUnit.objects.create(
        name="unit1",
        address=unit.ami_host,
        ami_port=unit.ami_port,
        ami_user=unit.ami_user,
        ami_secret=unit.ami_secret,
        ws_address="wss://uzor.test/sip",
    )
    try:
        yield
    finally:
        for obj in (pbx, inbound, topic, workplace, operator, group):
            obj.delete()
        with db.connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition,"
                " agency_call"
            )


@pytest.fixture
def callcenter(admin_database: Any, asterisk_unit: Any) -> Iterator[tuple[Any, Any]]:
    unit = asterisk_unit(QUEUES)
    with call_center_model(admin_database, unit):
        yield admin_database, unit


@pytest.fixture
def agency(callcenter: tuple[Any, Any], tmp_path: Path) -> Iterator[Agency]:
    db, _ = callcenter
    running = write_agency(tmp_path, db, make_license(tmp_path))
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def connect(agency: Agency, session: aiohttp.ClientSession) -> Terminal:
    return Terminal(await session.ws_connect(f"{agency.url}/ws"))


async def wait_for(
    check: Any, timeout: float = 20, what: str = "condition", agency: Agency | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.2)
    detail = f"\nagency log:\n{agency.tail()}" if agency is not None else ""
    raise AssertionError(f"timed out waiting for {what}{detail}")


def member_line(unit: Any) -> str:
    lines = [line for line in unit.cli("queue show support").splitlines() if "PJSIP/201" in line]
    return lines[0] if lines else ""


async def test_login_pause_and_logout_drive_queue_membership(agency: Agency, callcenter) -> None:
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        reply = await terminal.login()
        assert reply["name"] == "login.result", reply
        data = reply["data"]
        assert data["sip"]["username"] == "201" and data["sip"]["ws_url"] == "wss://uzor.test/sip"
        assert data["groups"] == [{"name": "support", "description": "Support line"}]
        assert data["outbound_topics"][0]["prefix"] == "111"
        assert data["session"]["mode"] == "inbound" and data["session"]["state"] == "ready"
        await wait_for(lambda: "PJSIP/201" in member_line(unit), what="QueueAdd")
        assert "paused" not in member_line(unit)

        reply = await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        assert reply["data"]["state"] == "pause", reply
        await wait_for(lambda: "paused:lunch" in member_line(unit), what="pause with reason")

        reply = await terminal.call("set_mode", {"mode": "outbound", "topic": "111"})
        assert reply["data"]["reason"] == "outbound"
        refused = await terminal.call("set_state", {"state": "ready"})
        assert refused["type"] == "error" and refused["name"] == "not_allowed"
        await wait_for(lambda: "paused:outbound" in member_line(unit), what="outbound pause")

        assert (await terminal.call("logout"))["name"] == "logout.result"
        await wait_for(lambda: member_line(unit) == "", what="QueueRemove")
        after = await terminal.call("ping")
        assert after["name"] == "not_logged_in"


async def test_time_is_tracked_per_state(agency: Agency, callcenter) -> None:
    db, _ = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        await terminal.call("set_mode", {"mode": "offline"})
        await terminal.call("task_start", {"project": "P-17", "activity": "mail"})
        await terminal.call("task_finish")

    def rows() -> list[tuple[Any, ...]]:
        with db.connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT mode, state, reason, project FROM agency_interval"
                " WHERE agent = '101' ORDER BY started_at, id"
            )
            return list(cursor.fetchall())

    await wait_for(lambda: len(rows()) >= 4, what="4 intervals")
    assert rows()[:4] == [
        ("inbound", "ready", None, None),
        ("inbound", "pause", "lunch", None),
        ("offline", "task_waiting", "offline", None),
        ("offline", "task", "offline", "P-17"),
    ]


async def test_asterisk_restart_keeps_the_operator_logged_in(agency: Agency, callcenter) -> None:
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        await wait_for(lambda: "paused:lunch" in member_line(unit), what="pause")
        unit.restart()
        await wait_for(
            lambda: "paused:lunch" in member_line(unit),
            timeout=40,
            agency=agency,
            what="membership and pause restored by the resync",
        )
        lost = await until(terminal, "pbx_unavailable")
        back = await until(terminal, "pbx_available")  # its phone registers again on it
        assert (lost["type"], back["type"]) == ("warning", "notification"), (lost, back)
        assert back["data"]["unit"] == lost["data"]["unit"], back
        status = agency.status(agency.token)
        assert status["units"][0]["link"] == "up"
        assert status["units"][0]["reconnects"] >= 1
        reply = await terminal.call("set_state", {"state": "ready"})
        assert reply["data"]["state"] == "ready", reply
        await wait_for(lambda: "paused" not in member_line(unit), what="unpaused")
        assert [e for e in terminal.events if e["name"] == "logged_out"] == []


async def test_ready_pressed_while_asterisk_restarts_takes_effect_after_the_resync(
    agency: Agency, callcenter
) -> None:
    """Ready pressed while the unit is away (Asterisk stopped, then started again on the same
    ports and directories): kept and shown as pending, then the member unpaused by the agency
    once the unit is back, with no second press."""
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        await wait_for(lambda: "paused:lunch" in member_line(unit), what="pause")
        unit.stop()
        await wait_for(
            lambda: agency.status(agency.token)["units"][0]["link"] != "up",
            agency=agency,
            what="the agency to see the unit down",
        )
        reply = await terminal.call("set_state", {"state": "ready"})
        assert reply["name"] == "set_state.result", reply
        assert reply["data"]["pending"] == {"state": "ready", "reason": None}, reply
        assert (reply["data"]["state"], reply["data"]["reason"]) == ("pause", "lunch")
        terminal.events.clear()  # what came before the press and with it
        unit.start()
        await wait_for(
            lambda: "PJSIP/201" in member_line(unit) and "paused" not in member_line(unit),
            timeout=40,
            agency=agency,
            what="the member back and unpaused after the resync",
        )
        shown = await until(terminal, "state_changed")
        assert (shown["data"]["state"], shown["data"]["pending"]) == ("ready", None), shown
        assert [e for e in terminal.events if e["name"] == "logged_out"] == []


async def test_agency_restart_resumes_the_session(agency: Agency, callcenter) -> None:
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        await terminal.call("set_state", {"state": "pause", "reason": "meeting"})
        agency.stop()
        agency.start()
        terminal = await connect(agency, http)
        reply = await terminal.login()
        assert reply["data"]["resumed"] is True
        assert reply["data"]["session"]["state"] == "pause"
        assert reply["data"]["session"]["reason"] == "meeting"
        assert "paused:meeting" in member_line(unit)


async def test_bad_acp_input_gets_errors_and_the_daemon_lives(agency: Agency) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        for raw, code in (
            ("{", "malformed"),
            ('{"type":"action","name":"fly"}', "unknown_action"),
            ("x" * 100_000, "oversized"),
            ('{"type":"action","name":"dial","data":{"number":"1"}}', "not_logged_in"),
        ):
            answer = await terminal.send_raw(raw)
            assert (answer["type"], answer["name"]) == ("error", code)
        wrong = await terminal.call(
            "login", {"agent": "101", "password": "nope", "workplace": WORKPLACE_MAC}
        )
        assert wrong["name"] == "login_failed"
    assert agency.status()["status"] == "running"


def test_rest_and_gui_refuse_without_auth(agency: Agency) -> None:
    for method, path in (
        ("GET", "/api/clients"),
        ("GET", "/api/config"),
        ("GET", "/metrics"),
        ("PUT", "/api/max-clients"),
        ("DELETE", "/api/clients/c1"),
    ):
        status, body = agency.request(method, path, body={} if method == "PUT" else None)
        assert status == 401, (method, path)
        assert body["error_id"] == "unauthorized" and body["message"] and "details" in body
        status, _ = agency.request(method, path, token="wrong-token-wrong-token")
        assert status == 401
    assert set(agency.status()) == {"status", "mode"}
    status, page = agency.get("/gui/")
    assert status == 200 and "password" in page  # redirected to the login form
    status, _ = agency.request("POST", "/gui/clients/c1/end")
    assert status == 401

    status, config = agency.get("/api/config", agency.token)
    assert status == 200 and config["database"]["password_file"] == "<redacted>"
    status, metrics = agency.get("/metrics", agency.token)
    assert status == 200 and "uzor_agency_ami_up" in metrics
    assert agency.request("PUT", "/api/max-clients", {"max_clients": 5}, agency.token)[1] == {
        "max_clients": 5
    }
    status, bad = agency.request("PUT", "/api/mode", {"mode": "sleep"}, agency.token)
    assert status == 400 and bad["error_id"] == "invalid-request"


def test_without_a_license_the_agency_refuses_to_start(tmp_path: Path) -> None:
    config = tmp_path / "agency.yaml"
    config.write_text(f"license: {{path: {tmp_path}/none.key, public_keys: {tmp_path}}}\n")
    result = subprocess.run(
        [sys.executable, "-m", "appliance.agency.main", "--config", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 3, result.stderr
    assert "uzor-agency will not start" in result.stderr


async def test_supervisor_message_maintenance_and_end_session(agency: Agency, callcenter) -> None:
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        clients = agency.get("/api/clients", agency.token)[1]["clients"]
        assert [(c["agent"], c["session"]["state"]) for c in clients] == [("101", "ready")]
        client_id = clients[0]["id"]

        status, body = agency.request(
            "POST",
            f"/api/clients/{client_id}/message",
            {"text": "Перерыв через 5 минут"},
            agency.token,
        )
        assert (status, body) == (200, {"sent": True})
        message = await terminal.next()
        assert (message["type"], message["name"]) == ("notification", "message")
        assert message["data"]["text"] == "Перерыв через 5 минут"

        agency.request("PUT", "/api/mode", {"mode": "maintenance"}, agency.token)
        notice = await terminal.next()
        assert notice["name"] == "maintenance" and notice["data"]["active"] is True
        other = await connect(agency, http)
        assert (await other.login())["name"] == "maintenance"
        agency.request("PUT", "/api/mode", {"mode": "active"}, agency.token)

        status, _ = agency.request("DELETE", f"/api/clients/{client_id}", token=agency.token)
        assert status == 200
        names = []
        while True:
            frame = await asyncio.wait_for(terminal.ws.receive(), 10)
            if frame.type is not aiohttp.WSMsgType.TEXT:
                break
            names.append(json.loads(frame.data)["name"])
        assert "logged_out" in names
        await wait_for(lambda: member_line(unit) == "", what="QueueRemove after the forced logout")


async def test_agency_killed_resumes_the_session_without_a_clean_stop(
    agency: Agency, callcenter
) -> None:
    """SIGKILL (no drain, no goodbye), then started again as systemd would: the terminal's
    login resumes the state it had, its membership and pause untouched on the unit."""
    _, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        await terminal.login()
        reply = await terminal.call("set_state", {"state": "pause", "reason": "meeting"})
        assert reply["data"]["state"] == "pause", reply
        await wait_for(lambda: "paused:meeting" in member_line(unit), what="pause")
        await wait_for(
            lambda: agency.status(agency.token)["records"]["pending"] == 0,
            what="the session saved",
        )
        agency.kill_and_start()
        terminal = await connect(agency, http)
        reply = await terminal.login()
        assert reply["data"]["resumed"] is True, reply
        assert reply["data"]["session"]["state"] == "pause"
        assert reply["data"]["session"]["reason"] == "meeting"
        assert "paused:meeting" in member_line(unit)
        assert [e for e in terminal.events if e["name"] == "logged_out"] == []
        await terminal.ws.close()
