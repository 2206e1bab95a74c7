"""The asyncio AMI protocol: banner, login, ActionID correlation, event lists.

One :class:`AMIProtocol` per TCP connection. It never queues or re-sends an action: an
action pending when the link breaks fails with :class:`ConnectionLostError`, one sent while the
link is down fails with :class:`NotConnectedError`. ``Originate`` is always sent with
``Async: true`` so a response never waits for the call to be answered.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Callable
from typing import cast

from appliance.ami.codec import (
    BANNER,
    MAX_BANNER,
    MAX_MESSAGE,
    AMIParser,
    Message,
    encode_action,
    parse_message,
)
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import (
    ActionFailedError,
    ActionTimeoutError,
    AMIError,
    ConnectionLostError,
    LoginFailedError,
    NotConnectedError,
    ProtocolError,
)
from appliance.ami.reply import Reply

log = logging.getLogger(__name__)


class _Pending:
    """An action waiting for its reply (the response and, for an event list, its events)."""

    __slots__ = ("future", "reply")

    def __init__(self, reply: Reply, future: asyncio.Future[list[Message]]) -> None:
        self.reply = reply
        self.future = future

    def handle(self, message: Message) -> bool:
        """Take a message with this ActionID; True when the action is complete."""
        reply = self.reply
        reply.take(message)
        if not reply.done:
            return False
        response = reply.response or {}
        if not self.future.done():
            if response.get("Response", "").lower() == "error":
                self.future.set_exception(ActionFailedError(reply.action, response))
            else:
                self.future.set_result([response, *reply.events])
        return True


def _expire(future: asyncio.Future[list[Message]], action: str, timeout: float) -> None:
    if not future.done():
        future.set_exception(ActionTimeoutError(f"{action}: no response in {timeout:g}s"))


class AMIProtocol(asyncio.Protocol):
    """Parses the stream, correlates responses, hands every other event to the dispatcher."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        on_lost: Callable[[Exception | None], None] | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._on_lost = on_lost
        self._parser = AMIParser()
        self._transport: asyncio.Transport | None = None
        self._pending: dict[str, _Pending] = {}
        self._prefix = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._banner_buffer: bytes | None = b""
        self.banner: str | None = None
        self.error: ProtocolError | None = None  # why this side ended the connection
        self.events_received = 0
        self.bytes_received = 0  # anything the unit sent: the keep-alive's sign of life
        self.banner_received: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    # asyncio.Protocol -------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # a stream's (uvloop's is no subclass)

    def data_received(self, data: bytes) -> None:
        self.bytes_received += len(data)
        if self.error is not None:
            return  # refused: the connection is being aborted
        if self._banner_buffer is not None:
            data = self._take_banner(data)
            if not data:
                return
        blocks = self._parser.feed_raw(data)
        if self._parser.pending > MAX_MESSAGE:
            self._refuse(f"an AMI message longer than {MAX_MESSAGE} bytes")
            return
        if self._pending:
            messages = self._take_responses([parse_message(b) for b in blocks])
            self.events_received += self._dispatcher.dispatch_all(messages)
        else:
            self.events_received += self._dispatcher.dispatch_raw(blocks)

    def _take_responses(self, messages: list[Message]) -> list[Message]:
        """Hand messages with a pending ActionID to their action; return the others."""
        pending = self._pending
        others = []
        for message in messages:
            action_id = message.get("ActionID")
            if action_id is not None and action_id in pending:
                if pending[action_id].handle(message):
                    del pending[action_id]
            else:
                others.append(message)
        return others

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        lost: AMIError = self.error or ConnectionLostError(
            "the AMI connection was lost; the action was not re-sent"
        )
        for item in self._pending.values():
            if not item.future.done():
                item.future.set_exception(lost)
        self._pending.clear()
        if not self.banner_received.done():
            self.banner_received.set_exception(lost)
            self.banner_received.exception()  # retrieved: no "never retrieved" log
        if self._on_lost is not None:
            self._on_lost(exc)

    # actions ----------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    async def send(
        self, action: str, headers: dict[str, str] | None = None, *, timeout: float = 10.0
    ) -> list[Message]:
        """Send one action; the response first, then the events of an event list."""
        if self._transport is None or self._transport.is_closing():
            raise NotConnectedError(f"{action}: the AMI link is down")
        fields = {"Action": action, **(headers or {})}
        if action.lower() == "originate":
            fields["Async"] = "true"
        action_id = f"{self._prefix}-{next(self._ids)}"
        fields["ActionID"] = action_id
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Message]] = loop.create_future()
        self._pending[action_id] = _Pending(Reply(action, action_id), future)
        # the future itself fails at the deadline: one timer, no timeout scope per action
        expiry = loop.call_later(timeout, _expire, future, action, timeout)
        try:
            self._transport.write(encode_action(fields))
            return await future
        finally:
            expiry.cancel()
            self._pending.pop(action_id, None)

    async def action(
        self, action: str, headers: dict[str, str] | None = None, *, timeout: float = 10.0
    ) -> Message:
        """Send an action and return its response (``ActionFailedError`` on ``Response: Error``)."""
        return (await self.send(action, headers, timeout=timeout))[0]

    async def login(self, username: str, secret: str, *, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            await asyncio.shield(self.banner_received)
        try:
            await self.action(
                "Login", {"Username": username, "Secret": secret, "Events": "on"}, timeout=timeout
            )
        except ActionFailedError as exc:
            raise LoginFailedError(
                f"AMI login as {username!r} refused: {exc.response.get('Message')}"
            ) from exc

    def close(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def _refuse(self, reason: str) -> None:
        """End the connection because the peer broke the protocol's bounds; whatever waits on
        it fails with a :class:`ProtocolError` saying why."""
        self.error = ProtocolError(reason)
        log.warning("AMI: %s; closing the connection", reason)
        if self._transport is not None:
            self._transport.abort()

    def _take_banner(self, data: bytes) -> bytes:
        assert self._banner_buffer is not None
        buffer = self._banner_buffer + data
        end = buffer.find(b"\r\n")
        if end < 0:
            self._banner_buffer = buffer
            if len(buffer) > MAX_BANNER:
                self._refuse(f"not an Asterisk manager: no greeting line in {MAX_BANNER} bytes")
            return b""
        self.banner = buffer[:end].decode("utf-8", "replace")
        self._banner_buffer = None
        if not self.banner.startswith(BANNER):
            self._refuse(f"not an Asterisk manager: greeting {self.banner[:80]!r}")
            return b""
        if not self.banner_received.done():
            self.banner_received.set_result(self.banner)
        return buffer[end + 2 :]
