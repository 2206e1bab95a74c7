import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.clients import Client
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.server import ACPServer
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.config import AcpConfig
from appliance.agency.i18n import _

SETTINGS = AcpConfig(
    max_clients=3, max_message_bytes=1024, client_queue=4, login_attempts_per_minute=3, heartbeat=30
)
LOGIN = {"agent": "101", "password": "right", "workplace": "e8039ab5e0c9"}


class FakeSessions:
    def __init__(self) -> None:
        self.gone: list[str] = []
        self.check_seconds = 0.0  # how long the password check takes

    async def login(self, client: Client, action: Action) -> dict[str, Any]:
        await asyncio.sleep(self.check_seconds)
        if action.data["password"] != "right":
            raise ACPError("login_failed", _("wrong agent number or password"), id=action.id)
        client.agent = action.data["agent"]
        return {"resumed": False}

    async def handle(self, client: Client, action: Action) -> dict[str, Any]:
        if action.name == "hangup":
            raise RuntimeError("bug in a handler")
        return {"time": "2026-01-01T00:00:00Z"}

    async def disconnected(self, client: Client) -> None:
        self.gone.append(client.id)


@pytest.fixture
async def acp() -> AsyncIterator[tuple[ACPServer, TestClient]]:  # type: ignore[type-arg]
    server = ACPServer(SETTINGS, FakeSessions())
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as client:
        yield server, client


async def call(ws: Any, message: Any) -> dict[str, Any]:
    await ws.send_str(message if isinstance(message, str) else json.dumps(message))
    frame = await asyncio.wait_for(ws.receive(), 5)
    assert frame.type is WSMsgType.TEXT, frame
    return json.loads(frame.data)


def action(name: str, data: dict[str, Any] | None = None, id: Any = 1) -> dict[str, Any]:
    return {"type": "action", "name": name, "id": id, "data": data or {}}


async def test_nothing_but_login_before_login(acp) -> None:
    _, http = acp
    async with http.ws_connect("/ws") as ws:
        answer = await call(ws, action("ping", id="x"))
        assert (answer["type"], answer["name"], answer["id"]) == ("error", "not_logged_in", "x")
        answer = await call(ws, action("login", LOGIN, id=2))
        assert (answer["type"], answer["name"], answer["id"]) == ("event", "login.result", 2)
        answer = await call(ws, action("ping", id=3))
        assert answer["name"] == "ping.result"
        assert_valid(json.dumps(answer))
        answer = await call(ws, action("login", LOGIN, id=4))
        assert answer["name"] == "not_allowed"


async def test_a_failing_handler_gets_an_internal_error_and_the_session_goes_on(acp) -> None:
    _, http = acp
    async with http.ws_connect("/ws") as ws:
        await call(ws, action("login", LOGIN))
        answer = await call(ws, action("hangup", id=5))
        assert (answer["name"], answer["id"]) == ("internal", 5)
        assert (await call(ws, action("ping")))["name"] == "ping.result"


async def test_failed_logins_are_rate_limited(acp) -> None:
    server, http = acp
    async with http.ws_connect("/ws") as ws:
        wrong = {**LOGIN, "password": "wrong"}
        for _ in range(3):
            assert (await call(ws, action("login", wrong)))["name"] == "login_failed"
        answer = await call(ws, action("login", LOGIN))
        assert answer["name"] == "rate_limited"
        assert answer["data"]["details"]["retry_after"] > 0
    assert server.errors["login_failed"] == 3


async def test_maintenance_refuses_new_logins(acp) -> None:
    server, http = acp
    server.maintenance = True
    async with http.ws_connect("/ws") as ws:
        assert (await call(ws, action("login", LOGIN)))["name"] == "maintenance"


async def test_max_clients_is_enforced_with_a_clear_refusal(acp) -> None:
    server, http = acp
    server.max_clients = 1
    async with http.ws_connect("/ws") as first:
        await call(first, action("login", LOGIN))
        async with http.ws_connect("/ws") as second:
            refused = await call(second, action("login", {**LOGIN, "agent": "102"}, id=9))
            assert (refused["type"], refused["name"], refused["id"]) == ("error", "max_clients", 9)
        assert (await call(first, action("ping")))["name"] == "ping.result"


async def test_connections_without_a_login_neither_count_nor_stay(acp) -> None:
    server, http = acp
    server.max_clients = 1
    server.settings = server.settings.model_copy(update={"login_timeout": 0.3})
    idle = [await http.ws_connect("/ws") for _ in range(3)]
    async with http.ws_connect("/ws") as operator:
        assert (await call(operator, action("login", LOGIN)))["name"] == "login.result"
    for ws in idle:  # closed by the agency once the login time is over
        assert (await asyncio.wait_for(ws.receive(), 5)).type in (
            WSMsgType.CLOSE,
            WSMsgType.CLOSED,
            WSMsgType.ERROR,
        )
    assert server.unauthenticated == set()


async def test_a_login_still_being_checked_is_not_dropped_at_the_login_time(acp) -> None:
    """A whole shift logging in at once waits for the password pool: a terminal that sent
    its login in time is answered, not dropped (which would leave its session without it)."""
    server, http = acp
    server.settings = server.settings.model_copy(update={"login_timeout": 0.2})
    server.handler.check_seconds = 0.7  # type: ignore[attr-defined]
    async with http.ws_connect("/ws") as operator:
        reply = await call(operator, action("login", LOGIN))
        assert reply["name"] == "login.result", reply
        assert server.unauthenticated == set() and server.checking == set()


async def test_the_login_time_counts_from_the_last_login_attempt(acp) -> None:
    """A terminal told to retry (busy, wrong password) that retries is not dropped because
    its first attempt was long ago; one that stops trying is."""
    server, http = acp
    server.settings = server.settings.model_copy(update={"login_timeout": 0.4})
    async with http.ws_connect("/ws") as operator:
        wrong = {**LOGIN, "password": "wrong"}
        assert (await call(operator, action("login", wrong)))["name"] == "login_failed"
        await asyncio.sleep(0.3)
        assert (await call(operator, action("login", wrong, id=2)))["name"] == "login_failed"
        await asyncio.sleep(0.3)  # 0.6 s after connecting, 0.3 s after the last attempt
        reply = await call(operator, action("login", LOGIN, id=3))
        assert reply["name"] == "login.result", reply
    async with http.ws_connect("/ws") as idle:
        assert (await call(idle, action("login", wrong)))["name"] == "login_failed"
        assert (await asyncio.wait_for(idle.receive(), 5)).type in (
            WSMsgType.CLOSE,
            WSMsgType.CLOSED,
        )


async def test_too_many_connections_without_a_login_are_turned_away(acp) -> None:
    server, http = acp
    server.settings = server.settings.model_copy(update={"max_unauthenticated": 2})
    idle = [await http.ws_connect("/ws") for _ in range(2)]
    async with http.ws_connect("/ws") as third:
        assert (await asyncio.wait_for(third.receive(), 5)).type is WSMsgType.CLOSE
    for ws in idle:
        await ws.close()


async def test_binary_and_oversized_frames_get_errors(acp) -> None:
    _, http = acp
    async with http.ws_connect("/ws") as ws:
        await ws.send_bytes(b"{}")
        assert json.loads((await ws.receive()).data)["name"] == "malformed"
        big = json.dumps(action("login", {**LOGIN, "password": "x" * 2000}))
        assert (await call(ws, big))["name"] == "oversized"


async def test_a_slow_client_is_dropped_without_stalling_others(acp) -> None:
    server, http = acp
    async with http.ws_connect("/ws") as slow, http.ws_connect("/ws") as fast:
        await call(slow, action("login", LOGIN))
        await call(fast, action("login", LOGIN))
        slow_client = next(c for c in server.clients.values() if c.sent == 1)
        # the slow terminal stops reading: its queue fills up and it is dropped
        slow_client._queue.put_nowait("a")  # emulate a stalled writer
        slow_client._writer.cancel()
        for _ in range(SETTINGS.client_queue + 1):
            server.broadcast(out.message("hi"))
            await asyncio.sleep(0.02)  # the fast terminal's writer drains meanwhile
        assert slow_client.closed_reason == "too slow: outgoing queue full"
        assert slow_client.id not in server.clients
        assert server.dropped == 1
        for _ in range(SETTINGS.client_queue + 1):
            frame = await asyncio.wait_for(fast.receive(), 5)
            assert json.loads(frame.data)["name"] == "message"
        assert (await call(fast, action("ping", id="f")))["name"] == "ping.result"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
            max_leaves=12,
        ).map(json.dumps),
        st.fixed_dictionaries(
            {
                "type": st.just("action"),
                "name": st.sampled_from(["login", "dial", "x"]),
                "data": st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
            }
        ).map(json.dumps),
    )
)
async def test_any_garbage_gets_an_error_reply_and_the_server_lives(acp, garbage: str) -> None:
    _, http = acp
    async with http.ws_connect("/ws") as ws:
        answer = await call(ws, garbage)
        assert answer["type"] in ("error", "event")
        assert_valid(json.dumps(answer))
        assert (await call(ws, action("login", LOGIN)))["type"] in ("event", "error")


async def test_a_lone_surrogate_is_answered_and_the_session_goes_on(acp) -> None:
    """Found by the ACP fuzz run: an unknown action named ``\\ud800`` was answered with its
    name in the message, which could not be encoded: the writer died and the terminal got no
    answer, ever again."""
    _, http = acp
    async with http.ws_connect("/ws") as ws:
        answer = await call(ws, '{"type":"action","name":"\\ud800","id":5,"data":{}}')
        assert (answer["name"], answer["id"]) == ("malformed", 5)
        assert (await call(ws, action("login", LOGIN)))["name"] == "login.result"
        assert (await call(ws, action("ping", id=6)))["name"] == "ping.result"


async def test_a_reply_that_cannot_be_encoded_does_not_silence_the_terminal(acp) -> None:
    server, http = acp
    async with http.ws_connect("/ws") as ws:
        await call(ws, action("login", LOGIN))
        client = next(iter(server.clients.values()))
        client.send('{"type":"notification","name":"message","data":{"text":"\ud800"}}')
        assert (await call(ws, action("ping", id=7)))["name"] == "ping.result"


class CountedWrites:
    """A terminal's transport that counts the writes made to it."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def test_the_messages_of_one_moment_go_out_in_one_write_in_order(acp) -> None:
    server, http = acp
    async with http.ws_connect("/ws") as ws:
        await call(ws, action("login", LOGIN))
        client = next(iter(server.clients.values()))
        counted = CountedWrites(client.transport)
        client.transport = counted  # type: ignore[assignment]
        # every frame length encoding (7-bit, 16-bit, 64-bit), Cyrillic, in one moment
        texts = [f'{{"n":{i},"text":"{"ё" * size}"}}' for i, size in enumerate((1, 60, 40000))]
        texts.append(json.dumps({"n": 3, "text": "x" * 70000}))
        for text in texts:
            assert client.send(text)
        assert counted.writes == []  # written after the moment, together
        for text in texts:
            frame = await asyncio.wait_for(ws.receive(), 5)
            assert frame.type is WSMsgType.TEXT and frame.data == text
        assert len(counted.writes) == 1
        assert client.sent == 1 + len(texts)
        # the next moment is its own write
        assert (await call(ws, action("ping", id="p")))["name"] == "ping.result"
        assert len(counted.writes) == 2


async def test_a_terminal_that_stops_reading_is_dropped_without_stalling_others(acp) -> None:
    """Not emulated: the terminal's socket fills up (it reads nothing), its messages queue
    behind it, and when its queue is full it is dropped."""
    server, http = acp
    async with http.ws_connect("/ws") as slow, http.ws_connect("/ws") as fast:
        await call(slow, action("login", LOGIN))
        await call(fast, action("login", LOGIN))
        slow_client, fast_client = server.clients.values()  # in the order they connected
        big = json.dumps({"type": "notification", "name": "message", "data": {"x": "y" * 200_000}})
        received = 0
        for _ in range(400):  # far more than the socket buffers on both sides hold
            if slow_client.closed_reason is not None:
                break
            slow_client.send(big)
            fast_client.send(big)
            frame = await asyncio.wait_for(fast.receive(), 5)  # the other keeps reading
            received += frame.data == big
            await asyncio.sleep(0)
        assert slow_client.closed_reason == "too slow: outgoing queue full"
        assert slow_client.id not in server.clients
        assert received >= 1 and fast_client.closed_reason is None
        assert (await call(fast, action("ping", id="f")))["name"] == "ping.result"
