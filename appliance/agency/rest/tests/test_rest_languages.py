"""REST errors and the GUI follow the request's Accept-Language (ru or en); codes never change."""

from __future__ import annotations

from typing import Any

from appliance.agency.acp.clients import Client
from appliance.agency.rest.tests.test_rest import TOKEN, auth, rest

__all__ = ["rest"]
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en-US;q=0.8"}


async def error(response: Any) -> tuple[int, str, str]:
    body = await response.json()
    assert set(body) == {"error_id", "message", "details"}
    return response.status, body["error_id"], body["message"]


async def test_401_is_russian_with_accept_language_ru_and_english_without(rest) -> None:
    _, http = rest
    assert await error(await http.get("/api/clients", headers=RU)) == (
        401,
        "unauthorized",
        "нужен действительный токен доступа (Authorization: Bearer)",
    )
    assert await error(await http.get("/api/clients")) == (
        401,
        "unauthorized",
        "a valid bearer token is required",
    )
    english = {"Accept-Language": "en-US,en;q=0.9,ru;q=0.5"}
    assert (await error(await http.get("/metrics", headers=english)))[2] == (
        "a valid bearer token is required"
    )


async def test_404_is_russian_with_accept_language_ru_and_english_without(rest) -> None:
    _, http = rest
    response = await http.delete("/api/clients/c999", headers={**auth(), **RU})
    assert await error(response) == (404, "not-found", "нет такого клиента")
    response = await http.delete("/api/clients/c999", headers=auth())
    assert await error(response) == (404, "not-found", "no such client")


async def test_400_is_russian_too(rest) -> None:
    _, http = rest
    response = await http.put("/api/mode", json={"mode": "x"}, headers={**auth(), **RU})
    assert await error(response) == (
        400,
        "invalid-request",
        "режим должен быть «active» или «maintenance»",
    )
    response = await http.put("/api/max-clients", data="nope", headers={**auth(), **RU})
    assert (await error(response))[2] == "тело запроса должно быть в формате JSON"


async def test_the_agency_default_language_counts_without_accept_language(rest) -> None:
    agency, http = rest
    agency.acp.language = "ru"
    assert (await error(await http.get("/api/clients")))[2] == (
        "нужен действительный токен доступа (Authorization: Bearer)"
    )
    english = await http.get("/api/clients", headers={"Accept-Language": "en"})
    assert (await error(english))[2] == "a valid bearer token is required"


async def test_maintenance_without_a_message_tells_each_terminal_in_its_language(rest) -> None:
    agency, _ = rest
    sent: list[tuple[str, str]] = []

    def fake_client(lang: str) -> Client:
        client = Client(None, None, "127.0.0.1", 4, lambda c, r: None)  # type: ignore[arg-type]
        client.lang = lang
        client.send = lambda text: sent.append((lang, text)) is None  # type: ignore[method-assign]
        return client

    for lang in ("ru", "en"):
        client = fake_client(lang)
        agency.acp.clients[client.id] = client
    agency.set_maintenance(True)
    assert [("Прослойка в режиме обслуживания" in text, lang) for lang, text in sent] == [
        (True, "ru"),
        (False, "en"),
    ]
    assert "the agency is under maintenance: new logins are refused" in sent[1][1]
    sent.clear()
    agency.set_maintenance(False, "Работы окончены")  # the supervisor's own words, as written
    assert all('"message":"Работы окончены"' in text for _lang, text in sent) and len(sent) == 2


async def test_the_gui_speaks_russian_to_a_russian_browser(rest) -> None:
    _, http = rest
    assert (await http.post("/gui/login", data={"token": TOKEN}, allow_redirects=False)).status
    page = await (await http.get("/gui/", headers=RU)).text()
    assert "Нет подключённых терминалов." in page and "Выйти" in page
    page = await (await http.get("/gui/")).text()
    assert "No terminals are connected." in page
    page = await (await http.get("/gui/?note=Session+ended.", headers=RU)).text()
    assert "Сеанс завершён." in page
    wrong = await http.post("/gui/login", data={"token": "nope"}, headers=RU)
    assert wrong.status == 401 and "Неверный токен." in await wrong.text()


async def test_the_gui_names_modes_and_states_as_the_manual_does(rest, monkeypatch) -> None:
    agency, http = rest
    row = {
        "id": "c1",
        "agent": "101",
        "remote": "10.0.0.9",
        "session": {"mode": "inbound", "state": "wrapup", "state_seconds": 65},
    }
    monkeypatch.setattr(agency, "clients", lambda: [row])
    assert (await http.post("/gui/login", data={"token": TOKEN}, allow_redirects=False)).status
    russian = await (await http.get("/gui/", headers=RU)).text()
    assert "<td>Входящий</td><td>Поствызывная обработка</td><td>0:01:05</td>" in russian
    assert "Отправить" in russian and "Завершить сеанс" in russian
    english = await (await http.get("/gui/")).text()
    assert "<td>Inbound</td><td>Wrap-up</td>" in english


async def test_an_unknown_api_path_or_method_is_a_translated_error_too(rest) -> None:
    _, http = rest
    assert await error(await http.get("/api/nothing", headers=RU)) == (
        404,
        "not-found",
        "нет такого ресурса: /api/nothing",
    )
    assert await error(await http.get("/api/nothing")) == (
        404,
        "not-found",
        "no such resource: /api/nothing",
    )
    assert await error(await http.patch("/api/mode", headers=RU)) == (
        405,
        "method-not-allowed",
        "метод PATCH здесь не поддерживается",
    )
    assert (await http.get("/elsewhere")).status == 404  # outside the API: aiohttp's own page
