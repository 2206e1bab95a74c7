"""The GUI's sessions played by an attacker: a stolen cookie dies with logout and with time, and
a form posted from elsewhere (no CSRF token) changes nothing."""

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from appliance.agency.gui.sessions import COOKIE, IDLE_SECONDS, MAX_AGE_SECONDS, GuiSessions
from appliance.agency.gui.tests.test_views import TOKEN, csrf_of
from appliance.agency.gui.views import GUI
from appliance.agency.tests.idle_agency import idle_agency


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def world() -> AsyncIterator[tuple[TestClient, Clock]]:  # type: ignore[type-arg]
    agency = idle_agency(TOKEN)
    clock = Clock()
    app = web.Application()
    app.router.add_routes(GUI(agency, GuiSessions(clock)).routes())
    async with TestClient(TestServer(app)) as client:
        yield client, clock


async def listing_status(gui: TestClient) -> int:  # type: ignore[type-arg]
    return (await gui.get("/gui/", allow_redirects=False)).status


async def test_a_cookie_kept_after_logout_no_longer_opens_the_gui(world) -> None:
    gui, _clock = world
    await gui.post("/gui/login", data={"token": TOKEN})
    stolen = gui.session.cookie_jar.filter_cookies(gui.make_url("/gui/"))[COOKIE].value
    csrf = await csrf_of(gui)
    await gui.post("/gui/logout", data={"csrf": csrf})
    gui.session.cookie_jar.update_cookies({COOKIE: stolen})  # the attacker replays it
    assert await listing_status(gui) == 303  # to the login form


async def test_a_session_ends_when_idle_and_at_its_maximum_age(world) -> None:
    gui, clock = world
    await gui.post("/gui/login", data={"token": TOKEN})
    clock.now += IDLE_SECONDS - 1
    assert await listing_status(gui) == 200  # use keeps it alive ...
    for _step in range(MAX_AGE_SECONDS // (IDLE_SECONDS - 1)):
        clock.now += IDLE_SECONDS - 1
        await gui.get("/gui/")
    assert await listing_status(gui) == 303  # ... but not past its maximum age
    await gui.post("/gui/login", data={"token": TOKEN})
    clock.now += IDLE_SECONDS + 1
    assert await listing_status(gui) == 303


async def test_a_form_without_the_sessions_csrf_token_is_refused(world) -> None:
    gui, _clock = world
    await gui.post("/gui/login", data={"token": TOKEN})
    forged = await gui.post("/gui/clients/c1/end", allow_redirects=False)
    assert forged.status == 403
    wrong = await gui.post("/gui/logout", data={"csrf": "guessed"}, allow_redirects=False)
    assert wrong.status == 403
    assert await listing_status(gui) == 200  # still logged in
