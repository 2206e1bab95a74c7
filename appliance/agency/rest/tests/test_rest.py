import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.gui.views import GUI
from appliance.agency.rest import openapi
from appliance.agency.rest.api import RestAPI
from appliance.agency.running import Agency
from appliance.agency.tests.idle_agency import idle_agency

TOKEN = "t" * 24


@pytest.fixture
async def rest() -> AsyncIterator[tuple[Agency, TestClient]]:  # type: ignore[type-arg]
    agency = idle_agency(TOKEN)
    api = RestAPI(agency)
    app = web.Application(middlewares=[api.unmatched])
    app.router.add_routes(api.routes())
    app.router.add_routes(GUI(agency).routes())
    async with TestClient(TestServer(app)) as client:
        yield agency, client


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


async def test_every_route_is_refused_without_the_token_in_one_error_shape(rest) -> None:
    _, http = rest
    for method, path, *_ in openapi.ENDPOINTS:
        if path == "/status":
            continue
        response = await http.request(method, path.replace("{client_id}", "c1"))
        assert response.status == 401, path
        assert await response.json() == {
            "error_id": "unauthorized",
            "message": "a valid bearer token is required",
            "details": {},
        }


async def test_status_is_public_only_in_part(rest) -> None:
    _, http = rest
    assert await (await http.get("/status")).json() == {"status": "running", "mode": "active"}
    full = await (await http.get("/status", headers=auth())).json()
    assert full["license"]["customer"] == "ACME" and full["terminals"] == 0


async def test_maintenance_and_max_clients(rest) -> None:
    agency, http = rest
    response = await http.put("/api/mode", json={"mode": "maintenance"}, headers=auth())
    assert await response.json() == {"mode": "maintenance"} and agency.acp.maintenance
    response = await http.put("/api/max-clients", json={"max_clients": -1}, headers=auth())
    assert response.status == 400 and (await response.json())["error_id"] == "invalid-request"
    response = await http.put("/api/max-clients", data="nope", headers=auth())
    assert response.status == 400
    response = await http.put("/api/max-clients", json={"max_clients": 7}, headers=auth())
    assert (await response.json())["max_clients"] == 7 and agency.acp.max_clients == 7
    config = await (await http.get("/api/config", headers=auth())).json()
    assert config["acp"]["max_clients"] == 7
    assert config["api"]["token_file"] == "<redacted>"


async def test_max_clients_is_any_json_number_without_a_fraction(rest) -> None:
    """Found by schemathesis: the document says ``integer``, and JSON Schema's integer 7.0
    was refused."""
    agency, http = rest
    response = await http.put("/api/max-clients", json={"max_clients": 7.0}, headers=auth())
    assert response.status == 200 and agency.acp.max_clients == 7
    assert await response.json() == {"max_clients": 7}
    response = await http.put("/api/max-clients", json={"max_clients": 7.5}, headers=auth())
    assert response.status == 400 and (await response.json())["error_id"] == "invalid-request"


async def test_a_maintenance_message_that_is_no_string_is_refused(rest) -> None:
    agency, http = rest
    body = {"mode": "maintenance", "message": {"text": "x"}}
    response = await http.put("/api/mode", json=body, headers=auth())
    assert response.status == 400 and (await response.json())["error_id"] == "invalid-request"
    assert not agency.acp.maintenance


async def test_unknown_client_is_not_found(rest) -> None:
    _, http = rest
    response = await http.post("/api/clients/c999/message", json={"text": "hi"}, headers=auth())
    assert response.status == 404 and (await response.json())["error_id"] == "not-found"


async def test_metrics_are_prometheus_text(rest) -> None:
    _, http = rest
    text = await (await http.get("/metrics", headers=auth())).text()
    assert "uzor_agency_terminals 0.0" in text
    assert "uzor_agency_ami_action_seconds" in text


async def test_gui_needs_a_login_and_accepts_the_token(rest) -> None:
    _, http = rest
    page = await http.get("/gui/", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "login"
    wrong = await http.post("/gui/login", data={"token": "wrong"}, allow_redirects=False)
    assert wrong.status == 401
    russian = await http.get("/gui/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert "Войти" in await russian.text()
    ok = await http.post("/gui/login", data={"token": TOKEN}, allow_redirects=False)
    assert ok.status == 303
    listing = await http.get("/gui/")
    text = await listing.text()
    assert listing.status == 200 and "No terminals are connected." in text
    csrf = re.search(r"name=csrf value=\"?([^\">]+)\"?>", text).group(1)  # type: ignore[union-attr]
    end = await http.post("/gui/clients/c9/end", data={"csrf": csrf}, allow_redirects=False)
    assert end.status == 303


def test_every_registered_route_is_in_the_openapi_document() -> None:
    app = web.Application()
    agency: Any = object()
    app.router.add_routes(RestAPI(agency).routes())
    registered = {
        (r.method.lower(), r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"
    }
    described = {(m, p) for m, p, *_ in openapi.ENDPOINTS}
    assert registered == described


def test_the_openapi_document_is_up_to_date() -> None:
    assert json.loads(openapi.DOC_PATH.read_text()) == openapi.document(), (
        "run `python -m appliance.agency.rest.openapi --write`"
    )
