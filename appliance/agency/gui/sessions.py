"""The GUI's login sessions, kept in the agency: a random id in the cookie, an idle and an
absolute lifetime, revoked by logging out, and a CSRF token every form must send back."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

COOKIE = "uzor_agency_gui"
CSRF_FIELD = "csrf"
IDLE_SECONDS = 30 * 60
MAX_AGE_SECONDS = 8 * 3600
MAX_SESSIONS = 100


@dataclass
class GuiSession:
    csrf: str
    created: float
    seen: float


class GuiSessions:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._sessions: OrderedDict[str, GuiSession] = OrderedDict()

    def open(self) -> str:
        """A new session; its id goes into the cookie. The oldest go past MAX_SESSIONS."""
        now = self._clock()
        session_id = secrets.token_urlsafe(32)
        self._sessions[session_id] = GuiSession(secrets.token_urlsafe(32), now, now)
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return session_id

    def of(self, request: web.Request) -> GuiSession | None:
        """The request's live session (its idle time restarts), or None."""
        session_id = request.cookies.get(COOKIE, "")
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self._clock()
        if now - session.seen > IDLE_SECONDS or now - session.created > MAX_AGE_SECONDS:
            del self._sessions[session_id]
            return None
        session.seen = now
        return session

    def close(self, request: web.Request) -> None:
        self._sessions.pop(request.cookies.get(COOKIE, ""), None)

    @staticmethod
    def csrf_ok(session: GuiSession, form_value: object) -> bool:
        return isinstance(form_value, str) and hmac.compare_digest(form_value, session.csrf)
