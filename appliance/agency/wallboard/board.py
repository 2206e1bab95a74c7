"""The wallboard's WebSocket (``/wallboard/ws``): every operator and queue, live.

Protocol (JSON text frames). The page's first message is ``{"type": "auth", "token": T}``
with a ``wallboard`` token the admin signed (contracts/supervisor_token.py); anything else, a
bad or expired token, or none within ``AUTH_TIMEOUT`` seconds closes the socket (code 4401).
Then the agency sends ``{"type": "snapshot", "now", "operators": [...], "queues": [...],
"can_spy"}`` and, as things change, ``{"type": "operator", "operator": {...}}``,
``{"type": "operator_gone", "agent"}`` and ``{"type": "queue", "queue": {...}}``. Times are
unix seconds (the page counts "time in state" and "longest wait" itself). A page allowed to
(``barge`` in its token) sends ``{"type": "spy", "id", "ticket"}`` (a one-time ``spy`` token)
and gets ``{"type": "spy_result", "id", "ok", "error_id"?, "message"?}``.

Every change is sent at once (no polling): one JSON text per change, the same for every page;
a page that cannot keep up (``QUEUE_SIZE`` messages behind) is closed and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from appliance.agency.i18n import _, choose, from_accept_language
from appliance.agency.operators.session import Session
from appliance.agency.operators.topics import TopicCache
from appliance.agency.wallboard.queues import QueueBoard, QueueFigures
from appliance.agency.wallboard.spy import Spy, SpyRefused
from appliance.ami.manager import AMIManager, Snapshot
from appliance.contracts import supervisor_token as tokens

log = logging.getLogger(__name__)
AUTH_TIMEOUT = 10.0
QUEUE_SIZE = 5000
CLOSE_UNAUTHORIZED = 4401
MAX_MESSAGE = 8192
HEARTBEAT = 30.0


@dataclass(eq=False)
class Viewer:
    ws: web.WebSocketResponse
    user: str
    can_spy: bool
    language: str
    outbox: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )


def operator_row(session: Session, topic_name: Callable[[str], str]) -> dict[str, Any]:
    operator = session.operator
    since = operator.since if session.state_since is None else session.state_since
    call = operator.calls[0] if operator.calls else None
    for candidate in operator.calls:  # the call shown: the one talking, else the first
        if candidate.state.value == "talking":
            call = candidate
    leg = session.legs.get(call.call_id) if call is not None else None
    return {
        "agent": session.agent,
        "name": session.record.name,
        "workplace": session.workplace.number,
        "unit": session.unit,
        "mode": operator.mode.value,
        "state": operator.state.value,
        "reason": operator.reason,
        "since": since,
        "connected": session.client is not None,
        "call": None
        if call is None
        else {
            "direction": call.direction.value,
            "state": call.state.value,
            "number": call.number,
            "group": leg.group if leg else "",
            "topic": topic_name(leg.topic) if leg and leg.topic else "",
        },
    }


class Wallboard:
    def __init__(
        self,
        sessions: dict[str, Session],
        topics: TopicCache,
        spy: Spy,
        public_key: Ed25519PublicKey | None,
        *,
        default_language: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.topics = topics
        self.spy = spy
        self.public_key = public_key
        self.default_language = default_language
        self.clock = clock
        self.viewers: set[Viewer] = set()
        self.queues = QueueBoard(self._threshold, self.queue_changed, clock)

    # what the agency sees --------------------------------------------------------------------
    def _threshold(self, topic: str) -> int | None:
        found = self.topics.get(topic)
        return None if found is None else found.service_level_seconds

    def _topic_name(self, number: str) -> str:
        found = self.topics.get(number)
        return found.description if found is not None and found.description else number

    def attach(self, unit: AMIManager) -> None:
        """Queue events of a unit (app.py calls it for each unit, as for the call events)."""
        name = unit.unit.name
        subscribe = unit.dispatcher.subscribe
        subscribe("QueueCallerJoin", lambda event: self.queues.on_join(name, event))
        subscribe("QueueCallerLeave", lambda event: self.queues.on_leave(name, event))
        subscribe("QueueCallerAbandon", lambda event: self.queues.on_abandon(name, event))
        subscribe("AgentConnect", lambda event: self.queues.on_connect(name, event))

        async def resync(snapshot: Snapshot) -> None:
            self.queues.resync(snapshot.unit, snapshot.queues)

        unit.on_resync(resync)
        unit.on_lost(lambda: self.queues.lost(name))

    def operator_changed(self, session: Session) -> None:
        if self.viewers:
            row = operator_row(session, self._topic_name)
            self.broadcast({"type": "operator", "operator": row})

    def operator_ended(self, session: Session) -> None:
        if self.viewers:
            self.broadcast({"type": "operator_gone", "agent": session.agent})

    def queue_changed(self, figures: QueueFigures) -> None:
        if self.viewers:
            self.broadcast({"type": "queue", "queue": figures.row()})

    def snapshot(self) -> dict[str, Any]:
        sessions = sorted(self.sessions.values(), key=lambda s: s.agent)
        return {
            "type": "snapshot",
            "now": self.clock(),
            "operators": [operator_row(s, self._topic_name) for s in sessions],
            "queues": self.queues.rows(),
        }

    def broadcast(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, separators=(",", ":"))
        for viewer in list(self.viewers):
            try:
                viewer.outbox.put_nowait(text)
            except asyncio.QueueFull:
                log.warning("wallboard of %s fell behind: closed", viewer.user)
                self.viewers.discard(viewer)
                viewer.outbox.get_nowait()
                viewer.outbox.put_nowait(None)

    # the socket ------------------------------------------------------------------------------
    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_MESSAGE)
        await ws.prepare(request)
        language = choose(
            from_accept_language(request.headers.get("Accept-Language", "")),
            self.default_language,
        )
        viewer = await self._authenticate(ws, language)
        if viewer is None:
            return ws
        self.viewers.add(viewer)
        snapshot = self.snapshot()
        snapshot["can_spy"] = viewer.can_spy
        await ws.send_str(json.dumps(snapshot, separators=(",", ":")))
        writer = asyncio.create_task(self._write(viewer))
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._receive(viewer, message.data)
        finally:
            self.viewers.discard(viewer)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return ws

    async def _authenticate(self, ws: web.WebSocketResponse, language: str) -> Viewer | None:
        try:
            first = await ws.receive(timeout=AUTH_TIMEOUT)
        except TimeoutError:
            await ws.close(code=CLOSE_UNAUTHORIZED, message=b"no token")
            return None
        try:
            data = json.loads(first.data) if first.type is WSMsgType.TEXT else None
            if not isinstance(data, dict) or data.get("type") != "auth":
                raise tokens.TokenError("the first message is not auth")
            if self.public_key is None:
                raise tokens.TokenError("no public key configured")
            payload = tokens.verify(
                self.public_key, data.get("token", ""), tokens.WALLBOARD, self.clock()
            )
            perms = payload.get("perms")
            if not isinstance(perms, list) or tokens.VIEW_PERMISSION not in perms:
                raise tokens.TokenError("no view permission")
        except (ValueError, tokens.TokenError) as exc:
            log.warning("wallboard refused: %s", exc)
            await ws.close(code=CLOSE_UNAUTHORIZED, message=b"unauthorized")
            return None
        return Viewer(ws, payload["sub"], tokens.BARGE_PERMISSION in perms, language)

    async def _write(self, viewer: Viewer) -> None:
        while True:
            text = await viewer.outbox.get()
            if text is None:
                await viewer.ws.close(code=1013, message=b"too slow")
                return
            await viewer.ws.send_str(text)

    async def _receive(self, viewer: Viewer, raw: str) -> None:
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("type") != "spy":
            return  # the page sends nothing else; unknown input is ignored
        reply: dict[str, Any] = {"type": "spy_result", "id": data.get("id"), "ok": True}
        try:
            if not viewer.can_spy:
                raise SpyRefused("forbidden", _("you may not listen to operators' calls"))
            reply.update(await self.spy.run(str(data.get("ticket", ""))))
        except SpyRefused as exc:
            reply.update(ok=False, error_id=exc.error_id, message=exc.text.render(viewer.language))
        text = json.dumps(reply, separators=(",", ":"))
        with contextlib.suppress(asyncio.QueueFull):
            viewer.outbox.put_nowait(text)
