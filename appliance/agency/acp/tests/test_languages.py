"""A terminal gets every human text in its language: ``lang`` at login, else the WebSocket
request's Accept-Language, else the agency's default; codes and names never change."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.outgoing import Outbox
from appliance.agency.acp.server import ACPServer
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.acp.tests.test_server import LOGIN, SETTINGS, FakeSessions, action, call
from appliance.agency.config import OperatorsConfig
from appliance.agency.i18n import _
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.tests.fakes import PASSWORD, FakeStore, FakeUnit

Server = tuple[ACPServer, TestClient]  # type: ignore[type-arg]
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}


async def serve(server: ACPServer) -> AsyncIterator[Server]:
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    async with TestClient(TestServer(app)) as client:
        yield server, client


@pytest.fixture
async def acp() -> AsyncIterator[Server]:
    async for pair in serve(ACPServer(SETTINGS, FakeSessions())):
        yield pair


@pytest.fixture
async def russian_by_default() -> AsyncIterator[Server]:
    async for pair in serve(ACPServer(SETTINGS, FakeSessions(), language="ru")):
        yield pair


async def error_of(ws: Any, message: Any) -> tuple[str, str]:
    answer = await call(ws, message)
    assert answer["type"] == "error", answer
    assert_valid(json.dumps(answer))
    return answer["name"], answer["data"]["message"]


async def test_an_unknown_action_before_login_is_refused_in_the_accept_language(acp) -> None:
    _server, http = acp
    async with http.ws_connect("/ws", headers=RU) as ws:
        assert await error_of(ws, action("fly")) == ("unknown_action", "неизвестное действие «fly»")
        assert await error_of(ws, action("ping")) == ("not_logged_in", "сначала выполните вход")
        name, message = await error_of(ws, '{"type": "action"')
        assert name == "malformed"
        assert message.startswith("сообщение не является JSON в кодировке UTF-8 (Expecting")


async def test_without_accept_language_the_default_english_is_spoken(acp) -> None:
    _server, http = acp
    async with http.ws_connect("/ws") as ws:
        assert await error_of(ws, action("fly")) == ("unknown_action", "unknown action 'fly'")
    async with http.ws_connect("/ws", headers={"Accept-Language": "de-DE,fr"}) as ws:
        assert await error_of(ws, action("ping")) == ("not_logged_in", "log in first")


async def test_the_agency_default_language_counts_when_the_terminal_names_none(
    russian_by_default,
) -> None:
    _server, http = russian_by_default
    async with http.ws_connect("/ws") as ws:
        assert await error_of(ws, action("ping")) == ("not_logged_in", "сначала выполните вход")
    async with http.ws_connect("/ws", headers={"Accept-Language": "en-GB"}) as ws:
        assert await error_of(ws, action("ping")) == ("not_logged_in", "log in first")


async def test_login_with_lang_ru_gets_russian_errors_afterwards(acp) -> None:
    _server, http = acp
    async with http.ws_connect("/ws") as ws:
        wrong = {**LOGIN, "password": "wrong", "lang": "ru"}
        assert await error_of(ws, action("login", wrong)) == (
            "login_failed",
            "неверный номер агента или пароль",
        )
        answer = await call(ws, action("login", {**LOGIN, "lang": "ru"}))
        assert answer["name"] == "login.result"
        assert await error_of(ws, action("login", LOGIN)) == ("not_allowed", "вход уже выполнен")
        assert await error_of(ws, action("logout", {"x": 1})) == (
            "invalid_data",
            "logout: неизвестные поля: x",
        )


async def test_login_with_lang_en_overrides_a_russian_accept_language(acp) -> None:
    _server, http = acp
    async with http.ws_connect("/ws", headers=RU) as ws:
        assert (await call(ws, action("login", {**LOGIN, "lang": "en"})))["name"] == "login.result"
        assert await error_of(ws, action("login", LOGIN)) == ("not_allowed", "already logged in")


async def test_an_unsupported_lang_is_invalid_data_in_the_current_language(acp) -> None:
    _server, http = acp
    async with http.ws_connect("/ws", headers=RU) as ws:
        name, message = await error_of(ws, action("login", {**LOGIN, "lang": "de"}))
        assert name == "invalid_data"
        assert message == 'login: допустимые значения поля «lang»: "ru", "en"'


async def test_a_broadcast_reaches_each_terminal_in_its_language(acp) -> None:
    server, http = acp
    async with http.ws_connect("/ws", headers=RU) as russian, http.ws_connect("/ws") as english:
        await call(russian, action("login", LOGIN))
        await call(english, action("login", LOGIN))
        text = _("the agency is under maintenance: new logins are refused")
        assert server.broadcast(out.maintenance(True, text))
        got = [
            json.loads((await asyncio.wait_for(ws.receive(), 5)).data) for ws in (russian, english)
        ]
        assert [m["data"]["message"] for m in got] == [
            "Прослойка в режиме обслуживания: новые входы не принимаются",
            "the agency is under maintenance: new logins are refused",
        ]
        assert {m["name"] for m in got} == {"maintenance"}
        for message in got:
            assert_valid(json.dumps(message))


# the whole chain: the real operator service's refusals and forced logouts -----------------------
@pytest.fixture
async def agency() -> AsyncIterator[tuple[OperatorService, TestClient]]:  # type: ignore[type-arg]
    operators = OperatorService(
        OperatorsConfig(pause_limit=600, reconnect_grace=60),
        FakeStore(),
        {"unit1": FakeUnit()},
        Outbox(),
    )  # type: ignore[arg-type,dict-item]
    server = ACPServer(SETTINGS, operators)
    async for _server, http in serve(server):
        yield operators, http
    await operators.drain()


async def next_named(ws: Any, name: str) -> dict[str, Any]:
    while True:
        frame = await asyncio.wait_for(ws.receive(), 5)
        assert frame.type is WSMsgType.TEXT, frame
        message: dict[str, Any] = json.loads(frame.data)
        if message["name"] == name:
            assert_valid(frame.data)
            return message


async def test_the_operator_service_speaks_the_language_of_the_login(agency) -> None:
    operators, http = agency
    credentials = {"agent": "101", "password": PASSWORD, "workplace": "E8:03:9A:B5:E0:C9"}
    async with http.ws_connect("/ws") as ws:
        await ws.send_str(json.dumps(action("login", {**credentials, "lang": "ru"}, id=1)))
        assert (await next_named(ws, "login.result"))["id"] == 1
        await ws.send_str(json.dumps(action("set_mode", {"mode": "outbound"}, id=2)))
        await next_named(ws, "set_mode.result")
        await ws.send_str(json.dumps(action("set_state", {"state": "ready"}, id=3)))
        refusal = await next_named(ws, "not_allowed")
        assert refusal["data"]["message"] == "состояние «Ожидание» недоступно в режиме «Исходящий»"
        await ws.send_str(json.dumps(action("hangup", {}, id=4)))
        refusal = await next_named(ws, "not_allowed")
        assert refusal["data"]["message"] == "на этом рабочем месте нет такого вызова"
        await ws.send_str(json.dumps(action("set_state", {"state": "pause", "reason": "tea"})))
        await next_named(ws, "set_state.result")
        operators._warn(operators.sessions["101"])  # the pause limit's warning, now
        warning = (await next_named(ws, "pause_expiring"))["data"]
        assert warning["message"] == (
            f"пауза закончится через {round(warning['seconds_left'])} с: выберите «Ожидание» или "
            "другое состояние, иначе сеанс будет завершён"
        )
        assert await operators.force_logout("101", "supervisor")
        logout = await next_named(ws, "logged_out")
        assert logout["data"] == {
            "reason": "supervisor",
            "message": "супервизор завершил ваш сеанс",
        }
