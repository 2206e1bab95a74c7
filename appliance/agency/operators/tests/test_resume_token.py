"""Resume tokens: a terminal takes up its session again without the password (no PBKDF2),
with a token bound to the session (agent and workplace) that dies with it."""

import hashlib
import json
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.server import ACPServer
from appliance.agency.config import AcpConfig
from appliance.agency.operators.tests.fakes import (
    MAC,
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    settle,
    shut_down,
    wired_service,
)

COLON_MAC = "E8:03:9A:B5:E0:C9"
OTHER_MAC = "a0b1c2d3e4f5"


def login(agent: str = "101", mac: str = COLON_MAC) -> Action:
    return Action("login", {"agent": agent, "password": PASSWORD, "workplace": mac}, 1)


def resume(token: str, agent: str = "101", mac: str = COLON_MAC) -> Action:
    return Action("login", {"agent": agent, "resume": token, "workplace": mac}, 2)


class CountedChecks:
    """The service's password checker, counting the PBKDF2 checks it runs."""

    def __init__(self, service: Any) -> None:
        self.checker = service.logins.passwords
        self.count = 0
        original = self.checker.check

        async def check(password: str, encoded: str | None) -> bool:
            self.count += 1
            return bool(await original(password, encoded))

        self.checker.check = check


async def refused(service: Any, action: Action) -> str:
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), action)
    assert err.value.code == "login_failed"
    assert isinstance(err.value.details, dict)
    return str(err.value.details["reason"])


async def test_a_login_hands_out_a_token_and_saves_only_its_hash(world) -> None:
    service, store, _, _ = world
    reply = await service.login(make_client(), login())
    token = reply["resume"]
    assert isinstance(token, str) and len(token) >= 40
    await settle()
    saved = store.saved["101"]
    assert saved["resume_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(saved)


async def test_the_token_resumes_the_session_without_a_password_check(world) -> None:
    service, _, unit, notifier = world
    checks = CountedChecks(service)
    first = make_client()
    token = (await service.login(first, login()))["resume"]
    await service.handle(first, Action("set_state", {"state": "pause", "reason": "lunch"}, 3))
    assert checks.count == 1
    second = make_client()
    reply = await service.login(second, resume(token))
    assert checks.count == 1  # no PBKDF2 for the resume
    assert reply["resumed"] is True and reply["session"]["reason"] == "lunch"
    assert reply["resume"] == token  # the same session, the same token
    assert second.agent == "101" and first.agent is None
    assert unit.names().count("QueueAdd") == 2  # not re-added
    assert "logged_out" in notifier.names(first)


async def test_a_wrong_token_another_workplace_or_agent_is_refused(world) -> None:
    service, *_ = world
    token = (await service.login(make_client(), login()))["resume"]
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await refused(service, resume(wrong)) == "resume_expired"
    assert await refused(service, resume(token, mac=OTHER_MAC)) == "resume_expired"
    assert await refused(service, resume(token, agent="102")) == "resume_expired"
    assert await refused(service, resume(token, agent="999")) == "resume_expired"
    assert await refused(service, resume(token, mac="00:00:00:00:00:01")) == "unknown_workplace"
    assert service.sessions["101"].client is not None  # the session went on untouched


async def test_no_session_no_resume(world) -> None:
    service, *_ = world
    assert await refused(service, resume("A" * 43)) == "resume_expired"
    assert "101" not in service.sessions


async def test_the_token_dies_with_a_logout(world) -> None:
    service, store, _, _ = world
    client = make_client()
    token = (await service.login(client, login()))["resume"]
    await service.handle(client, Action("logout", {}, 3))
    assert await refused(service, resume(token)) == "resume_expired"
    assert "101" not in service.sessions
    # a new session with the password gets a new token; the old one stays dead
    fresh = (await service.login(make_client(), login()))["resume"]
    assert fresh != token
    assert await refused(service, resume(token)) == "resume_expired"
    await settle()
    assert store.saved["101"]["resume_hash"] == hashlib.sha256(fresh.encode()).hexdigest()


async def test_the_token_dies_when_the_agency_logs_the_operator_out(world) -> None:
    service, *_ = world
    token = (await service.login(make_client(), login()))["resume"]
    assert await service.force_logout("101", "supervisor")
    assert await refused(service, resume(token)) == "resume_expired"


async def test_a_login_with_the_password_elsewhere_replaces_the_token(world) -> None:
    service, *_ = world
    old = (await service.login(make_client(), login()))["resume"]
    new = (await service.login(make_client(), login()))["resume"]
    assert new != old
    assert await refused(service, resume(old)) == "resume_expired"
    assert (await service.login(make_client(), resume(new)))["resumed"] is True


async def test_the_token_survives_an_agency_restart_through_the_saved_session(world) -> None:
    service, store, _, _ = world
    client = make_client()
    token = (await service.login(client, login()))["resume"]
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 3))
    await settle()
    saved = json.loads(json.dumps(store.saved["101"]))  # as read back from agency_session
    store2, unit2 = FakeStore(), FakeUnit()
    store2.saved = {"101": saved}
    restarted = wired_service(store2, unit2, FakeNotifier(), restored={"101": saved})
    try:
        checks = CountedChecks(restarted)
        reply = await restarted.login(make_client(), resume(token))
        assert checks.count == 0
        assert reply["resumed"] is True and reply["session"]["reason"] == "lunch"
        assert reply["resume"] == token
        await restarted.handle(
            restarted.sessions["101"].client, Action("set_state", {"state": "ready"}, 4)
        )
        await settle()
        assert store2.saved["101"]["resume_hash"] == saved["resume_hash"]  # kept when saved
    finally:
        await shut_down(restarted)


async def test_a_restored_session_refuses_a_wrong_token_and_takes_the_password() -> None:
    saved = {
        "workplace": MAC,
        "unit": "unit1",
        "mode": "inbound",
        "base": "pause",
        "reason": "lunch",
        "since": 0,
        "resume_hash": hashlib.sha256(b"the-right-token-of-this-session").hexdigest(),
    }
    store = FakeStore()
    service = wired_service(store, FakeUnit(), FakeNotifier(), restored={"101": saved})
    try:
        assert await refused(service, resume("the-wrong-token-of-this-session")) == (
            "resume_expired"
        )
        other_place = resume("the-right-token-of-this-session", mac=OTHER_MAC)
        assert await refused(service, other_place) == "resume_expired"
        assert "101" in service.logins.restored  # still there for the right terminal
        reply = await service.login(make_client(), login())  # the password still works
        assert reply["resumed"] is True and reply["session"]["reason"] == "lunch"
        assert await refused(service, resume("the-right-token-of-this-session")) == (
            "resume_expired"  # replaced by the password login's token
        )
    finally:
        await shut_down(service)


async def test_a_session_saved_before_tokens_existed_takes_the_password_only() -> None:
    saved = {"workplace": MAC, "unit": "unit1", "mode": "inbound", "base": "ready", "since": 0}
    service = wired_service(FakeStore(), FakeUnit(), FakeNotifier(), restored={"101": saved})
    try:
        assert await refused(service, resume("A" * 43)) == "resume_expired"
        assert (await service.login(make_client(), login()))["resumed"] is True
    finally:
        await shut_down(service)


SETTINGS = AcpConfig(
    max_clients=10,
    max_message_bytes=4096,
    client_queue=16,
    login_attempts_per_minute=3,
    heartbeat=30,
)


async def test_wrong_tokens_count_against_the_login_rate_limit(world) -> None:
    service, *_ = world
    server = ACPServer(SETTINGS, service)
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as http:
        token = (await service.login(make_client(), login()))["resume"]
        async with http.ws_connect("/ws") as ws:
            names = []
            for attempt in range(4):
                wrong = {"agent": "101", "resume": f"{'B' * 40}{attempt:03d}", "workplace": MAC}
                await ws.send_json({"type": "action", "name": "login", "id": 1, "data": wrong})
                frame = await ws.receive(timeout=5)
                assert frame.type is WSMsgType.TEXT
                names.append(json.loads(frame.data)["name"])
            assert names == ["login_failed"] * 3 + ["rate_limited"]
            right = {"agent": "101", "resume": token, "workplace": MAC}
            await ws.send_json({"type": "action", "name": "login", "id": 2, "data": right})
            frame = await ws.receive(timeout=5)
            assert json.loads(frame.data)["name"] == "rate_limited"  # the agent's slots are spent
    assert server.errors["login_failed"] == 3
