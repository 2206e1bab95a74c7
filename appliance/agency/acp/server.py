"""The ACP WebSocket endpoint: one aiohttp handler per terminal.

Every frame is decoded and validated against the schema; a bad one gets an ``error`` reply and
the session goes on. Before login only ``login`` is accepted; failed logins are rate-limited per
address and per agent number. The session logic lives in the injected :class:`SessionHandler`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import Counter
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from appliance.agency.acp.clients import Client
from appliance.agency.acp.limiter import LoginLimiter
from appliance.agency.acp.messages import ACPError, Action, decode_action
from appliance.agency.acp.outgoing import Outgoing, deliver, result
from appliance.agency.config import AcpConfig
from appliance.agency.i18n import DEFAULT_LANGUAGE, _, choose, from_accept_language

log = logging.getLogger(__name__)


class SessionHandler(Protocol):
    async def login(self, client: Client, action: Action) -> dict[str, Any]:
        """Check the credentials, bind ``client.agent``; ACPError('login_failed') if wrong."""

    async def handle(self, client: Client, action: Action) -> dict[str, Any]:
        """Run an action of a logged-in client; the result is the reply's data."""

    async def disconnected(self, client: Client) -> None:
        """The terminal's connection ended (the session itself may survive)."""


class ACPServer:
    def __init__(
        self, settings: AcpConfig, handler: SessionHandler, language: str = DEFAULT_LANGUAGE
    ) -> None:
        self.settings = settings
        self.language = language  # for terminals that ask for no language we speak
        self.handler = handler
        self.max_clients = settings.max_clients
        self.maintenance = False
        self.clients: dict[str, Client] = {}
        self.errors: Counter[str] = Counter()
        self.dropped = 0
        self.unauthenticated: set[str] = set()  # ids of connections not logged in yet
        self.checking: set[str] = set()  # ids of connections whose login is being checked
        self.attempted: dict[str, float] = {}  # id -> when its last login arrived (monotonic)
        self.limiter = LoginLimiter(settings.login_attempts_per_minute)

    # the endpoint ----------------------------------------------------------------------------
    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(
            heartbeat=self.settings.heartbeat,
            max_msg_size=self.settings.max_message_bytes * 16,
            compress=self.settings.compress,  # ACP uses no extensions unless configured
        )
        await ws.prepare(request)
        asked = from_accept_language(request.headers.get("Accept-Language", ""))
        client = Client(
            ws,
            request.transport,
            _remote(request),
            self.settings.client_queue,
            self._dropped,
            lang=choose(asked, self.language),
            host=request.host,
        )
        client.start()
        if len(self.unauthenticated) >= self.settings.max_unauthenticated:
            await client.close("too many connections without a login")
            return ws
        self.clients[client.id] = client
        self.unauthenticated.add(client.id)
        deadline = asyncio.get_running_loop().call_later(
            self.settings.login_timeout, self._login_too_late, client
        )
        try:
            await self._serve(client)
        finally:
            deadline.cancel()
            self.unauthenticated.discard(client.id)
            self.attempted.pop(client.id, None)
            self.clients.pop(client.id, None)
            try:
                await self.handler.disconnected(client)
            except Exception:
                log.exception("ACP client %s: disconnect handling failed", client.id)
            await client.finish()
        return ws

    async def _serve(self, client: Client) -> None:
        async for frame in client.ws:
            if frame.type is WSMsgType.TEXT:
                await self._on_text(client, frame.data)
            elif frame.type is WSMsgType.BINARY:
                self._error(client, ACPError("malformed", _("send JSON in text frames")))
            elif frame.type is WSMsgType.ERROR:
                log.info("ACP client %s: %s", client.id, client.ws.exception())
                return
            if client.closed_reason is not None:
                return

    async def _on_text(self, client: Client, text: str) -> None:
        action_id = None
        try:
            action = decode_action(text, self.settings.max_message_bytes)
            action_id = action.id
            if not client.logged_in:
                data = await self._login(client, action)
            elif action.name == "login":
                raise ACPError("not_allowed", _("already logged in"), id=action.id)
            else:
                data = await self.handler.handle(client, action)
            deliver(client, result(action, data))
        except ACPError as exc:
            self._error(client, exc)
        except Exception:
            log.exception("ACP client %s: action failed", client.id)
            self._error(client, ACPError("internal", _("internal error; try again"), id=action_id))

    async def _login(self, client: Client, action: Action) -> dict[str, Any]:
        if action.name != "login":
            raise ACPError("not_logged_in", _("log in first"), id=action.id)
        self.attempted[client.id] = time.monotonic()
        if "lang" in action.data:  # the terminal's language from now on
            client.lang = choose(action.data["lang"], client.lang)
        if self.maintenance:
            raise ACPError(
                "maintenance",
                _("the agency is under maintenance: new logins are refused; try again later"),
                id=action.id,
            )
        if self.logged_in_count() >= self.max_clients:
            raise ACPError(
                "max_clients",
                _(
                    "the agency serves at most {count} terminals; try again later",
                    count=self.max_clients,
                ),
                id=action.id,
            )
        agent_key = f"agent:{action.data.get('agent')}"
        address_key = f"addr:{client.remote}"
        # a resume checks a token (no PBKDF2): a shift coming back after an agency restart
        # is not held to the address's few checks at once (its agent's failures still count)
        shared = () if "resume" in action.data else (address_key,)
        reservation, wait = self.limiter.reserve((agent_key,), shared)
        if reservation is None and self.limiter.busy(address_key):
            raise ACPError(
                "rate_limited",
                _("the agency is busy checking logins; try again in {seconds} s", seconds=1),
                id=action.id,
                details={"retry_after": 1},
            )
        if reservation is None:
            raise ACPError(
                "rate_limited",
                _("too many failed logins; try again in {seconds} s", seconds=max(1, round(wait))),
                id=action.id,
                details={"retry_after": max(1, round(wait))},
            )
        guessed_wrong = False
        self.checking.add(client.id)
        try:
            result = await self.handler.login(client, action)
        except ACPError as exc:
            guessed_wrong = exc.code == "login_failed"
            raise
        finally:
            self.checking.discard(client.id)
            if guessed_wrong:  # only wrong credentials keep their slot
                self.limiter.failed(reservation)
            else:
                self.limiter.succeeded(reservation)
        self.limiter.forget(agent_key)
        self.unauthenticated.discard(client.id)
        return result

    def _login_too_late(self, client: Client) -> None:
        if client.logged_in or client.closed_reason is not None:
            return
        timeout = self.settings.login_timeout
        since_attempt = time.monotonic() - self.attempted.get(client.id, float("-inf"))
        if client.id in self.checking or since_attempt < timeout:
            # it is logging in: its login waits for the password check (a shift logging in
            # at once queues there; dropping it would leave the session it is about to get
            # without a terminal), or it was told to retry and did; the login time counts
            # from its last attempt, the limiter bounds how many it makes
            delay = timeout if client.id in self.checking else timeout - since_attempt
            asyncio.get_running_loop().call_later(delay, self._login_too_late, client)
            return
        client.drop("no login in time")  # the reader loop ends, the finally above cleans up

    def logged_in_count(self) -> int:
        return len(self.clients) - len(self.unauthenticated)

    def _error(self, client: Client, error: ACPError) -> None:
        self.errors[error.code] += 1
        client.send(error.to_message(client.lang))

    def _dropped(self, client: Client, _reason: str) -> None:
        self.dropped += 1
        self.clients.pop(client.id, None)
        self.unauthenticated.discard(client.id)

    # used by the services, REST and GUI ------------------------------------------------------
    def send(self, client: Client, message: Outgoing) -> bool:
        """Send one message; its :class:`Text` values in the terminal's language."""
        return deliver(client, message)

    def broadcast(self, message: Outgoing) -> int:
        texts: dict[str, str] = {}
        sent = 0
        for client in list(self.clients.values()):
            text = texts.get(client.lang)
            if text is None:
                text = texts[client.lang] = message.encode(client.lang)
            sent += client.send(text)
        return sent

    def find(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def of_agent(self, agent: str) -> list[Client]:
        return [c for c in self.clients.values() if c.agent == agent]

    async def end_session(self, client: Client, reason: str) -> None:
        self.clients.pop(client.id, None)
        await client.close(reason)

    async def close_all(self, reason: str) -> None:
        for client in list(self.clients.values()):
            await self.end_session(client, reason)


def _remote(request: web.Request) -> str:
    """The terminal's address; X-Real-IP is trusted only from a loopback proxy (nginx)."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Real-IP")
    try:
        if forwarded and ipaddress.ip_address(remote).is_loopback:
            return forwarded
    except ValueError:
        pass
    return remote
