"""Resume tokens against the real agency, a real Asterisk 22 unit and the admin's model in a
real MariaDB: the agency killed (SIGKILL) and started again as systemd would, the terminal takes
up its session with the token from its last login (no password sent); the saved session holds
only the token's hash; a wrong token and a token after logout are refused."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import aiohttp
import pytest

from testkit.agency import Agency
from tests.integration.agency.test_agency import agency, callcenter, connect, member_line, wait_for

pytestmark = pytest.mark.integration
__all__ = ["agency", "callcenter"]  # fixtures used here


def saved_session(db: Any, agent: str) -> dict[str, Any]:
    with db.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM agency_session WHERE agent = %s", (agent,))
        row = cursor.fetchone()
    assert row is not None, f"no saved session of {agent}"
    return dict(json.loads(row["data"] if isinstance(row, dict) else row[0]))


def refused_as(reply: dict[str, Any]) -> str:
    assert reply["name"] == "login_failed", reply
    return str(reply["data"]["details"]["reason"])


async def test_a_killed_agency_gives_the_session_back_for_its_resume_token(
    agency: Agency, callcenter: tuple[Any, Any]
) -> None:
    db, unit = callcenter
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        reply = await terminal.login()
        token = reply["data"]["resume"]
        reply = await terminal.call("set_state", {"state": "pause", "reason": "meeting"})
        assert reply["data"]["state"] == "pause", reply
        await wait_for(lambda: "paused:meeting" in member_line(unit), what="pause")
        await wait_for(
            lambda: agency.status(agency.token)["records"]["pending"] == 0,
            what="the session saved",
        )
        saved = saved_session(db, "101")
        assert saved["resume_hash"] == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(saved)  # only the hash is kept

        agency.kill_and_start()

        terminal = await connect(agency, http)
        wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert refused_as(await terminal.resume(wrong)) == "resume_expired"
        reply = await terminal.resume(token)  # the webagent's reconnect: no password
        assert reply["name"] == "login.result", reply
        assert reply["data"]["resumed"] is True
        assert reply["data"]["session"]["state"] == "pause"
        assert reply["data"]["session"]["reason"] == "meeting"
        assert reply["data"]["resume"] == token
        assert "paused:meeting" in member_line(unit)
        assert [e for e in terminal.events if e["name"] == "logged_out"] == []

        assert (await terminal.call("logout"))["name"] == "logout.result"
        await terminal.ws.close()
        terminal = await connect(agency, http)
        assert refused_as(await terminal.resume(token)) == "resume_expired"
        await wait_for(lambda: member_line(unit) == "", what="QueueRemove after the logout")
        await terminal.ws.close()
