import asyncio
import json

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.agency.wallboard.board import CLOSE_UNAUTHORIZED, Wallboard
from appliance.agency.wallboard.spy import Spy
from appliance.agency.wallboard.tests.conftest import CALLED, KEY, spy_ticket, view_token


@pytest.fixture
async def served(floor):
    service, store, unit, topics, observers = floor
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    board = Wallboard(service.sessions, topics, spy, KEY.public_key(), default_language="en")
    observers.on_changed(board.operator_changed)
    observers.on_ended(board.operator_ended)
    board.attach(unit)  # type: ignore[arg-type]
    app = web.Application()
    app.router.add_get("/wallboard/ws", board.handle_ws)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client, service, unit
    await client.close()


async def receive(ws) -> dict:
    message = await ws.receive(timeout=5)
    assert message.type is WSMsgType.TEXT, message
    return json.loads(message.data)


async def opened(client, token, **headers):
    ws = await client.ws_connect("/wallboard/ws", headers=headers)
    await ws.send_json({"type": "auth", "token": token})
    return ws


@pytest.mark.parametrize(
    "token",
    [
        "",
        view_token(perms=()),
        view_token(key=Ed25519PrivateKey.generate()),
        view_token(exp=1),
        spy_ticket(),
    ],
)
async def test_the_socket_closes_without_a_valid_wallboard_token(served, token) -> None:
    client, *_ = served
    ws = await opened(client, token)
    message = await ws.receive(timeout=5)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    assert ws.close_code == CLOSE_UNAUTHORIZED


async def test_a_page_gets_the_floor_then_each_change_as_it_happens(served) -> None:
    client, service, unit = served
    ws = await opened(client, view_token())
    snapshot = await receive(ws)
    assert snapshot["type"] == "snapshot" and snapshot["can_spy"] is False
    (row,) = snapshot["operators"]
    assert (row["agent"], row["name"], row["state"], row["call"]) == ("101", "Ivan", "ready", None)
    unit.emit({"Event": "QueueCallerJoin", "Queue": "support", "Uniqueid": "c1", "Exten": "7100"})
    queue = await receive(ws)
    assert queue["queue"]["name"] == "support" and queue["queue"]["waiting"] == 1
    unit.emit(CALLED)
    ringing = (await receive(ws))["operator"]
    assert ringing["state"] == "ringing"
    assert ringing["call"] == {
        "direction": "inbound",
        "state": "ringing",
        "number": "79161234567",
        "group": "support",
        "topic": "Hotline",
    }
    unit.emit(
        {
            "Event": "AgentConnect",
            "Queue": "support",
            "Uniqueid": "c1",
            "HoldTime": "3",
            "Interface": "PJSIP/201",
            "Linkedid": "L1",
        }
    )
    seen = [await receive(ws), await receive(ws)]
    kinds = {m["type"]: m for m in seen}
    assert kinds["operator"]["operator"]["state"] == "talking"
    assert kinds["queue"]["queue"]["answered"] == 1
    assert kinds["queue"]["queue"]["service_level"] == 100.0
    await service.force_logout("101", "supervisor")
    assert (await receive(ws)) == {"type": "operator_gone", "agent": "101"}
    await ws.close()


async def test_a_page_without_the_barge_permission_is_refused_the_spy(served) -> None:
    client, _service, unit = served
    unit.emit(CALLED)
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    ws = await opened(client, view_token(), **{"Accept-Language": "ru"})
    await receive(ws)
    await ws.send_json({"type": "spy", "id": 7, "ticket": spy_ticket()})
    reply = await receive(ws)
    assert (reply["type"], reply["id"], reply["ok"], reply["error_id"]) == (
        "spy_result",
        7,
        False,
        "forbidden",
    )
    assert reply["message"] == "вам нельзя слушать разговоры операторов"
    assert "Originate" not in unit.names()
    allowed = await opened(client, view_token(perms=("view_wallboard", "barge")))
    assert (await receive(allowed))["can_spy"] is True
    await allowed.send_json({"type": "spy", "id": 8, "ticket": spy_ticket(mode="barge")})
    reply = await receive(allowed)
    assert reply["ok"] is True and reply["mode"] == "barge"
    assert unit.names()[-1] == "Originate"
    await asyncio.gather(ws.close(), allowed.close())
