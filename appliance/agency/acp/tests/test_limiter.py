"""The login limiter played by a password guesser: slots are taken before the password is
checked, a right password gives its slot back, and the table stays bounded."""

import asyncio
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.acp.clients import Client
from appliance.agency.acp.limiter import LoginLimiter
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.server import ACPServer
from appliance.agency.acp.tests.test_server import LOGIN, SETTINGS, action
from appliance.agency.i18n import _


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_takes_per_minute_attempts_then_waits_for_the_oldest_to_age() -> None:
    clock = Clock()
    limiter = LoginLimiter(3, clock)
    for _attempt in range(3):
        reservation, wait = limiter.reserve(["addr:a"])
        assert reservation is not None and wait == 0
        clock.now += 1
    reservation, wait = limiter.reserve(["addr:a"])
    assert reservation is None and wait == 57.0
    clock.now += 57
    assert limiter.reserve(["addr:a"])[0] is not None


def test_a_right_password_gives_its_slots_back() -> None:
    limiter = LoginLimiter(2, Clock())
    first, _ = limiter.reserve(["addr:a", "agent:101"])
    assert first is not None
    limiter.succeeded(first)
    for _attempt in range(2):
        assert limiter.reserve(["addr:a", "agent:101"])[0] is not None


def test_a_blocked_key_takes_no_slot_under_the_others() -> None:
    limiter = LoginLimiter(1, Clock())
    assert limiter.reserve(["agent:101"])[0] is not None
    assert limiter.reserve(["addr:b", "agent:101"])[0] is None
    assert limiter.reserve(["addr:b"])[0] is not None  # addr:b was not charged above


def test_the_table_stays_bounded_under_a_flood_of_new_keys() -> None:
    clock = Clock()
    limiter = LoginLimiter(5, clock, max_keys=1000)
    for n in range(20_000):
        limiter.reserve([f"addr:{n}"])
    assert len(limiter._attempts) <= 1000
    clock.now += 61
    limiter.reserve(["addr:new"])
    assert len(limiter._attempts) == 1  # idle keys leave from the cold end


TOKEN = "right-resume-token-0123456789"


class SlowSessions:
    """A password check that takes a while, like PBKDF2 in a thread."""

    async def login(self, client: Client, action: Action) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        if action.data.get("password", action.data.get("resume")) not in ("right", TOKEN):
            raise ACPError("login_failed", _("wrong agent number or password"), id=action.id)
        client.agent = action.data["agent"]
        return {"resumed": False}

    async def handle(self, client: Client, action: Action) -> dict[str, Any]:
        return {}

    async def disconnected(self, client: Client) -> None:
        return None


async def test_parallel_wrong_logins_cannot_outrun_the_limit() -> None:
    settings = SETTINGS.model_copy(update={"max_clients": 100})
    server = ACPServer(settings, SlowSessions())
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as http:
        sockets = [await http.ws_connect("/ws") for _ in range(20)]
        wrong = json.dumps(action("login", {**LOGIN, "password": "wrong"}))
        await asyncio.gather(*(ws.send_str(wrong) for ws in sockets))
        answers = [json.loads((await ws.receive(timeout=5)).data)["name"] for ws in sockets]
        for ws in sockets:
            await ws.close()
    assert answers.count("login_failed") == SETTINGS.login_attempts_per_minute
    assert answers.count("rate_limited") == 20 - SETTINGS.login_attempts_per_minute


def test_a_shared_address_is_charged_only_for_wrong_guesses() -> None:
    limiter = LoginLimiter(2, Clock())
    for agent in range(5):  # five operators behind one NAT, all right
        reservation, _ = limiter.reserve([f"agent:{agent}"], ["addr:nat"])
        assert reservation is not None
        limiter.succeeded(reservation)
    for agent in range(2):
        reservation, _ = limiter.reserve([f"agent:x{agent}"], ["addr:nat"])
        assert reservation is not None
        limiter.failed(reservation)
    reservation, wait = limiter.reserve(["agent:y"], ["addr:nat"])
    assert reservation is None and wait == 60.0  # two wrong guesses: the address waits


def test_a_shared_address_runs_at_most_per_minute_checks_at_once() -> None:
    limiter = LoginLimiter(2, Clock())
    running = [limiter.reserve([f"agent:{n}"], ["addr:nat"])[0] for n in range(2)]
    refused, wait = limiter.reserve(["agent:2"], ["addr:nat"])
    assert refused is None and wait == 1.0 and limiter.busy("addr:nat")
    first = running[0]
    assert first is not None
    limiter.succeeded(first)
    assert limiter.reserve(["agent:2"], ["addr:nat"])[0] is not None


async def test_operators_behind_one_address_are_told_to_retry_at_once_not_in_a_minute() -> None:
    """Twenty right logins at once from one address (a shift starting behind a NAT): the
    checks beyond the limit are refused as busy for a second, none as failed for a minute,
    and every operator is in after retrying."""
    settings = SETTINGS.model_copy(update={"max_clients": 100})
    server = ACPServer(settings, SlowSessions())
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as http:
        sockets = [await http.ws_connect("/ws") for _ in range(20)]
        waiting = list(range(20))
        rounds = 0
        while waiting:
            rounds += 1
            for n in waiting:
                login = action("login", {**LOGIN, "agent": f"{200 + n}", "password": "right"})
                await sockets[n].send_str(json.dumps(login))
            replies = [json.loads((await sockets[n].receive(timeout=5)).data) for n in waiting]
            refused = [r for r in replies if r["name"] == "rate_limited"]
            assert all(r["data"]["details"]["retry_after"] == 1 for r in refused), refused
            waiting = [n for n, r in zip(waiting, replies, strict=True) if r in refused]
            assert rounds <= 20 // SETTINGS.login_attempts_per_minute + 1, waiting
        for ws in sockets:
            await ws.close()


async def test_a_shift_resuming_with_tokens_behind_one_address_is_not_held_to_the_checks() -> None:
    """After an agency restart a whole shift comes back at once by resume token (no PBKDF2):
    none is told the agency is busy checking logins."""
    settings = SETTINGS.model_copy(update={"max_clients": 100})
    server = ACPServer(settings, SlowSessions())
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as http:
        sockets = [await http.ws_connect("/ws") for _ in range(20)]
        for n, ws in enumerate(sockets):
            resume = {"agent": f"{200 + n}", "workplace": LOGIN["workplace"], "resume": TOKEN}
            await ws.send_str(json.dumps(action("login", resume)))
        replies = [json.loads((await ws.receive(timeout=5)).data) for ws in sockets]
        assert [r["name"] for r in replies] == ["login.result"] * 20, replies
        for ws in sockets:
            await ws.close()
