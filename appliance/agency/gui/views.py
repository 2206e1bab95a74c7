"""A small web GUI (AGY-8): connected terminals with state and timers, send a message, end a
session. Behind a login with the API token: a session kept by the agency (expiring, revoked by
logging out) in an HttpOnly, SameSite=Strict cookie, and a CSRF token in every form."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp import web

from appliance.agency.acp import outgoing as out
from appliance.agency.gui.i18n import MODES, STATES, language, translator
from appliance.agency.gui.paths import cookie_path
from appliance.agency.gui.sessions import COOKIE, CSRF_FIELD, GuiSession, GuiSessions
from appliance.agency.running import Agency

STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.3em .6em}.note{color:#a60}")  # fmt: skip
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
        _ = self._t(request)
        note = request.query.get("note", "")
        csrf = _csrf_input(session)
        rows = "".join(self._row(c, _, csrf) for c in self.agency.clients())
        body = (
            f"<h1>{_('Connected terminals')}</h1>"
            + (f"<p class=note>{_('Maintenance mode: new logins are refused.')}</p>"
               if self.agency.acp.maintenance else "")
            + (f"<p class=note>{html.escape(_(note))}</p>" if note else "")
            + (f"<table><tr><th>{_('Client')}</th><th>{_('Operator')}</th><th>{_('Address')}</th>"
               f"<th>{_('Mode')}</th><th>{_('State')}</th><th>{_('In state')}</th>"
               f"<th>{_('Message')}</th><th></th></tr>{rows}</table>"
               if rows else f"<p>{_('No terminals are connected.')}</p>")
            + f"<form method=post action=logout>{csrf}<button>{_('Log out')}</button></form>"
        )  # fmt: skip
        return _page(_, body, refresh=True)

    def _row(self, client: dict[str, Any], _: Callable[[str], str], csrf: str) -> str:
        session = client.get("session") or {}
        cid = html.escape(client["id"])
        mode, state = session.get("mode", "-"), session.get("state", "-")
        cells = [cid, client.get("agent") or "-", client["remote"], _(MODES.get(mode, mode)),
                 _(STATES.get(state, state)), _duration(session.get("state_seconds"))]  # fmt: skip
        return (
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            + f"<td><form method=post action=clients/{cid}/message>{csrf}"
            f"<input name=text maxlength=2000 required><button>{_('Send')}</button></form></td>"
            f"<td><form method=post action=clients/{cid}/end>{csrf}"
            f"<button>{_('End session')}</button></form></td></tr>"
        )  # fmt: skip

    async def login_form(self, request: web.Request, error: str = "") -> web.StreamResponse:
        _ = self._t(request)
        body = (
            f"<h1>{_('Uzor agency')}</h1>"
            + (f"<p class=note>{_(error)}</p>" if error else "")
            + f"<form method=post action=login><label>{_('API token')} "
            f"<input type=password name=token required></label> <button>{_('Log in')}</button>"
            "</form>"
        )
        return _page(_, body, status=401 if error else 200)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        token = form.get("token")
        if not isinstance(token, str) or not self.agency.auth.check_token(token):
            return await self.login_form(request, "Wrong token.")
        response = web.HTTPSeeOther("./")
        secure = request.headers.get("X-Forwarded-Proto") == "https" or request.secure
        path = cookie_path(request)
        response.set_cookie(COOKIE, self.sessions.open(), httponly=True, samesite="Strict",
                            secure=secure, path=path)  # fmt: skip
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

    def _t(self, request: web.Request) -> Callable[[str], str]:
        accept = request.headers.get("Accept-Language", "")
        return translator(language(accept, self.agency.acp.language))

    async def _checked_form(self, request: web.Request) -> Any:
        """The form of a request made in a live session, with that session's CSRF token."""
        session = self.sessions.of(request)
        if session is None:
            raise web.HTTPUnauthorized(text=self._t(request)("Log in at /gui/login first."))
        form = await request.post()
        if not self.sessions.csrf_ok(session, form.get(CSRF_FIELD)):
            raise web.HTTPForbidden(text=self._t(request)("The form has expired; reload the page."))
        return form


def _csrf_input(session: GuiSession) -> str:
    return f"<input type=hidden name={CSRF_FIELD} value={html.escape(session.csrf)}>"


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "-"
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _page(_: Callable[[str], str], body: str, *, refresh: bool = False,
          status: int = 200) -> web.Response:  # fmt: skip
    meta = "<meta http-equiv=refresh content=5>" if refresh else ""
    text = (f"<!doctype html><html><head><meta charset=utf-8>{meta}<title>{_('Uzor agency')}"
            f"</title><style>{STYLE}</style></head><body>{body}</body></html>")  # fmt: skip
    return web.Response(text=text, content_type="text/html", status=status)
