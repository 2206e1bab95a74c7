"""The GUI at /gui/ and behind a proxy prefix: relative links and redirects, the cookie's path."""

import re
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.gui.sessions import COOKIE
from appliance.agency.gui.views import GUI
from appliance.agency.tests.idle_agency import idle_agency

TOKEN = "g" * 24
BEHIND_NGINX = {"X-Forwarded-Prefix": "/agency", "X-Forwarded-Proto": "https"}
# what the browser sees for the agency's /gui/... when nginx serves it under /agency/
PUBLIC = "https://uzor.example/agency"


@pytest.fixture
async def gui() -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    agency = idle_agency(TOKEN)
    app = web.Application()
    app.router.add_routes(GUI(agency).routes())
    async with TestClient(TestServer(app)) as client:
        yield client


def public_target(path: str, location: str) -> str:
    """Where a browser at PUBLIC + path goes for a Location header."""
    return urljoin(PUBLIC + path, location)


async def csrf_of(gui: Any) -> str:
    page = await (await gui.get("/gui/")).text()
    found = re.search(r"name=csrf value=\"?([^\">]+)\"?>", page)
    assert found, page
    return found.group(1)


def cookie_of(response: Any) -> Any:
    cookies = SimpleCookie()
    for header in response.headers.getall("Set-Cookie"):
        cookies.load(header)
    return cookies[COOKIE]


async def test_it_redirects_relative_so_the_browser_stays_under_the_prefix(gui) -> None:
    page = await gui.get("/gui/", headers=BEHIND_NGINX, allow_redirects=False)
    assert page.status == 303
    assert public_target("/gui/", page.headers["Location"]) == f"{PUBLIC}/gui/login"
    login = await gui.post(
        "/gui/login", data={"token": TOKEN}, headers=BEHIND_NGINX, allow_redirects=False
    )
    assert public_target("/gui/login", login.headers["Location"]) == f"{PUBLIC}/gui/"
    await gui.post("/gui/login", data={"token": TOKEN})  # the test client's cookie for /gui/
    csrf = await csrf_of(gui)
    end = await gui.post(
        "/gui/clients/c9/end", data={"csrf": csrf}, headers=BEHIND_NGINX, allow_redirects=False
    )
    assert public_target("/gui/clients/c9/end", end.headers["Location"]) == (
        f"{PUBLIC}/gui/?note=No+such+client."
    )
    logout = await gui.post(
        "/gui/logout", data={"csrf": csrf}, headers=BEHIND_NGINX, allow_redirects=False
    )
    assert public_target("/gui/logout", logout.headers["Location"]) == f"{PUBLIC}/gui/login"


async def test_its_forms_post_to_relative_addresses(gui) -> None:
    form = await (await gui.get("/gui/login")).text()
    assert "action=login>" in form
    await gui.post("/gui/login", data={"token": TOKEN})
    listing = await (await gui.get("/gui/")).text()
    assert "action=logout>" in listing
    assert "action=/" not in form + listing


async def test_the_cookie_path_carries_the_proxy_prefix(gui) -> None:
    login = await gui.post(
        "/gui/login", data={"token": TOKEN}, headers=BEHIND_NGINX, allow_redirects=False
    )
    cookie = cookie_of(login)
    assert cookie["path"] == "/agency/gui/"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"
    logout = await gui.post("/gui/logout", headers=BEHIND_NGINX, allow_redirects=False)
    assert cookie_of(logout)["path"] == "/agency/gui/"


async def test_without_a_proxy_the_cookie_path_is_gui(gui) -> None:
    login = await gui.post("/gui/login", data={"token": TOKEN}, allow_redirects=False)
    assert cookie_of(login)["path"] == "/gui/"
    assert not cookie_of(login)["secure"]


@pytest.mark.parametrize(
    "header", ["agency", "/agency; Domain=evil.example", "//evil.example", "/a/../b", "/a b"]
)
async def test_it_ignores_a_prefix_that_is_not_a_plain_path(gui, header: str) -> None:
    headers = {"X-Forwarded-Prefix": header}
    login = await gui.post(
        "/gui/login", data={"token": TOKEN}, headers=headers, allow_redirects=False
    )
    assert cookie_of(login)["path"] == "/gui/"
