"""A small web GUI (AGY-8): connected terminals with state and timers, send a message, end a
session. Behind a login with the API token: a session kept by the agency (expiring, revoked by
logging out) in an HttpOnly, SameSite=Strict cookie, and a CSRF token in every form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from appliance.agency.acp import outgoing as out
from appliance.agency.gui.i18n import MODES, STATES, language, translator
from appliance.agency.gui.pages import render
from appliance.agency.gui.paths import cookie_path
from appliance.agency.gui.sessions import COOKIE, CSRF_FIELD, GuiSessions
from appliance.agency.running import Agency

# Every link and redirect is relative, so the GUI works at /gui/ and behind nginx at /agency/gui/.
# From /gui/clients/<id>/<verb> back to the list /gui/:
BACK_TO_LIST = "../../"


class GUI:
    def __init__(self, agency: Agency, sessions: GuiSessions | None = None) -> None:
        self.agency = agency
        self.sessions = sessions or GuiSessions()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/gui/", self.index),
            web.get("/gui/login", self.login_form),
            web.post("/gui/login", self.login),
            web.post("/gui/logout", self.logout),
            web.post("/gui/clients/{client_id}/message", self.message),
            web.post("/gui/clients/{client_id}/end", self.end),
        ]

    async def index(self, request: web.Request) -> web.StreamResponse:
        session = self.sessions.of(request)
        if session is None:
            raise web.HTTPSeeOther("login")
        lang = self._language(request)
        _ = translator(lang)
        note = request.query.get("note", "")
        return render(
            lang,
            "clients.html",
            refresh=True,
            maintenance=self.agency.acp.maintenance,
            note=_(note) if note else "",
            rows=[_row(client, _) for client in self.agency.clients()],
            csrf_field=CSRF_FIELD,
            csrf=session.csrf,
        )

    async def login_form(self, request: web.Request, error: str = "") -> web.StreamResponse:
        lang = self._language(request)
        message = translator(lang)(error) if error else ""
        return render(
            lang, "login.html", status=401 if error else 200, refresh=False, error=message
        )

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        token = form.get("token")
        if not isinstance(token, str) or not self.agency.auth.check_token(token):
            return await self.login_form(request, "Wrong token.")
        response = web.HTTPSeeOther("./")
        secure = request.headers.get("X-Forwarded-Proto") == "https" or request.secure
        path = cookie_path(request)
        response.set_cookie(
            COOKIE, self.sessions.open(), httponly=True, samesite="Strict", secure=secure, path=path
        )
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        if self.sessions.of(request) is not None:
            await self._checked_form(request)
            self.sessions.close(request)  # revoked here, whatever the browser keeps
        response = web.HTTPSeeOther("login")
        response.del_cookie(COOKIE, path=cookie_path(request))
        raise response

    async def message(self, request: web.Request) -> web.StreamResponse:
        form = await self._checked_form(request)
        client = self.agency.acp.find(request.match_info["client_id"])
        text = form.get("text")
        if client is not None and isinstance(text, str) and 0 < len(text) <= 2000:
            self.agency.acp.send(client, out.message(text, "supervisor"))
            raise web.HTTPSeeOther(BACK_TO_LIST + "?note=Sent.")
        raise web.HTTPSeeOther(BACK_TO_LIST + "?note=No+such+client.")

    async def end(self, request: web.Request) -> web.StreamResponse:
        await self._checked_form(request)
        client = self.agency.acp.find(request.match_info["client_id"])
        if client is None:
            raise web.HTTPSeeOther(BACK_TO_LIST + "?note=No+such+client.")
        await self.agency.end_client(client)
        raise web.HTTPSeeOther(BACK_TO_LIST + "?note=Session+ended.")

    def _language(self, request: web.Request) -> str:
        return language(request.headers.get("Accept-Language", ""), self.agency.acp.language)

    def _t(self, request: web.Request) -> Callable[[str], str]:
        return translator(self._language(request))

    async def _checked_form(self, request: web.Request) -> Any:
        """The form of a request made in a live session, with that session's CSRF token."""
        session = self.sessions.of(request)
        if session is None:
            raise web.HTTPUnauthorized(text=self._t(request)("Log in at /gui/login first."))
        form = await request.post()
        if not self.sessions.csrf_ok(session, form.get(CSRF_FIELD)):
            raise web.HTTPForbidden(text=self._t(request)("The form has expired; reload the page."))
        return form


def _row(client: dict[str, Any], _: Callable[[str], str]) -> dict[str, Any]:
    """One line of the list: the client's id (for its forms) and the cells as shown."""
    session = client.get("session") or {}
    mode, state = session.get("mode", "-"), session.get("state", "-")
    cells = [
        client["id"],
        client.get("agent") or "-",
        client["remote"],
        _(MODES.get(mode, mode)),
        _(STATES.get(state, state)),
        _duration(session.get("state_seconds")),
    ]
    return {"id": client["id"], "cells": [str(cell) for cell in cells]}


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "-"
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
