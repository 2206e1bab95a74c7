"""A small blocking AMI client: connect, log in, one action at a time, then close.

For callers without an event loop: the admin's Apply Dialplan, the test fixtures, the bench.
With ``tls`` (:class:`appliance.ami.tls.PinnedCertificate`) it speaks TLS and trusts only the
unit's pinned certificate; a refused handshake is a :class:`TLSRefusedError`.
It reads with the same codec as the asyncio client (:mod:`appliance.ami.codec`) and raises the
same errors (:mod:`appliance.ami.errors`). Every wait has a deadline and every read is bounded:
a banner line longer than ``MAX_BANNER`` bytes or a message longer than ``MAX_MESSAGE`` bytes
is a :class:`ProtocolError`, never an unbounded buffer.

Messages read while waiting for an action's reply that are not part of it (events, unsolicited
responses) go to ``on_message``, or are dropped. A caller that reads on its own (a reader
thread) uses :meth:`SyncAMIClient.send` and :meth:`SyncAMIClient.read` with :class:`Reply`.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import ssl
import time
from collections.abc import Callable, Mapping

from appliance.ami.codec import (
    BANNER,
    MAX_BANNER,
    MAX_MESSAGE,
    AMIParser,
    Message,
    encode_action,
)
from appliance.ami.errors import (
    ActionTimeoutError,
    ConnectFailedError,
    ConnectionLostError,
    LoginFailedError,
    ProtocolError,
    TLSRefusedError,
)
from appliance.ami.reply import Reply
from appliance.ami.tls import PinnedCertificate

READ_SIZE = 65536

Headers = Mapping[str, object]  # a list or tuple value repeats its header


class SyncAMIClient:
    """One blocking AMI connection. Not thread-safe: one caller at a time."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 10.0,
        connect_timeout: float | None = None,
        on_message: Callable[[Message], None] | None = None,
        id_prefix: str = "uzor",
        tls: PinnedCertificate | None = None,
    ) -> None:
        """Connect (over TLS trusting only ``tls``'s certificate when given) and read the
        greeting."""
        self.address = f"{host}:{port}"
        self.timeout = timeout
        self.on_message = on_message
        self._prefix = id_prefix
        self._ids = itertools.count(1)
        self._parser = AMIParser()
        self._messages: list[Message] = []
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout or timeout)
        except OSError as exc:
            raise ConnectFailedError(self.address, exc) from exc
        if tls is not None:
            self._sock = self._start_tls(self._sock, tls)
        try:
            self.banner = self._read_banner()
        except BaseException:
            self.close()
            raise

    def _start_tls(self, sock: socket.socket, tls: PinnedCertificate) -> socket.socket:
        """The TLS handshake on ``sock`` (within its connect timeout), the pin checked."""
        try:
            secured = tls.context.wrap_socket(sock)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise TLSRefusedError(self.address, exc, certificate=True) from exc
        except ssl.SSLError as exc:
            sock.close()
            raise TLSRefusedError(self.address, exc, certificate=False) from exc
        except OSError as exc:  # a reset or a timeout during the handshake
            sock.close()
            raise ConnectFailedError(self.address, exc) from exc
        if not tls.matches(secured):
            secured.close()
            mismatch = ssl.SSLError("the unit's certificate is not the pinned one")
            raise TLSRefusedError(self.address, mismatch, certificate=True)
        return secured

    def __enter__(self) -> SyncAMIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()

    # actions ----------------------------------------------------------------------------------
    def login(self, username: str, secret: str, *, events: str = "off") -> Message:
        """Log in; ``events`` is the ``Events:`` header ("off", "on" or a class list)."""
        response = self.action("Login", {"Username": username, "Secret": secret, "Events": events})
        if response.get("Response", "").lower() != "success":
            raise LoginFailedError(f"AMI login as {username!r} refused: {response.get('Message')}")
        return response

    def action(
        self,
        name: str,
        headers: Headers | None = None,
        *,
        timeout: float | None = None,
    ) -> Message:
        """Send an action and return its response, whatever its ``Response:`` says."""
        return self.request(name, headers, timeout=timeout).response or {}

    def action_list(
        self,
        name: str,
        headers: Headers | None = None,
        *,
        timeout: float | None = None,
    ) -> tuple[Message, list[Message]]:
        """Send an action answered by an event list; its response and the list's events."""
        reply = self.request(name, headers, timeout=timeout)
        return reply.response or {}, reply.events

    def request(
        self,
        name: str,
        headers: Headers | None = None,
        *,
        timeout: float | None = None,
    ) -> Reply:
        """Send an action and read until its reply is complete."""
        reply = Reply(name, self.send(name, headers))
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not reply.done:
            for message in self.read(deadline, waiting_for=name):
                if not reply.take(message) and self.on_message is not None:
                    self.on_message(message)
        return reply

    def send(self, name: str, headers: Headers | None = None) -> str:
        """Write one action with a new ActionID and return that ActionID (no reading)."""
        action_id = f"{self._prefix}-{next(self._ids)}"
        data = encode_action({"Action": name, "ActionID": action_id, **(headers or {})})
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise ConnectionLostError(
                f"AMI connection lost sending {name}", exc, sending=True
            ) from exc
        return action_id

    # reading ----------------------------------------------------------------------------------
    def read(self, deadline: float | None, *, waiting_for: str = "a message") -> list[Message]:
        """The messages completed by one read of the socket (at least one); ``deadline`` is a
        ``time.monotonic()`` value, or None to wait as long as it takes."""
        while not self._messages:
            self._messages = self._parser.feed(self._recv(deadline, waiting_for))
            if self._parser.pending > MAX_MESSAGE:
                raise ProtocolError(f"an AMI message longer than {MAX_MESSAGE} bytes")
        messages, self._messages = self._messages, []
        return messages

    def _recv(self, deadline: float | None, waiting_for: str) -> bytes:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise ActionTimeoutError(f"no answer from AMI to {waiting_for} in time")
        try:
            self._sock.settimeout(remaining)
            chunk = self._sock.recv(READ_SIZE)
        except TimeoutError as exc:
            raise ActionTimeoutError(f"no answer from AMI to {waiting_for} in time") from exc
        except OSError as exc:  # a reset, or the socket closed by close() meanwhile
            lost = f"AMI connection lost waiting for {waiting_for}"
            raise ConnectionLostError(lost, exc) from exc
        if not chunk:
            raise ConnectionLostError(f"AMI closed the connection waiting for {waiting_for}")
        return chunk

    def _read_banner(self) -> str:
        """The greeting line; what follows it stays in the parser."""
        deadline = time.monotonic() + self.timeout
        data = b""
        while b"\r\n" not in data:
            if len(data) > MAX_BANNER:
                raise ProtocolError(f"not an Asterisk manager at {self.address}")
            data += self._recv(deadline, "the greeting")
        line, _, rest = data.partition(b"\r\n")
        banner = line.decode("utf-8", "replace").strip()
        if not banner.startswith(BANNER):
            raise ProtocolError(f"not an Asterisk manager at {self.address}: {banner[:80]!r}")
        self._messages = self._parser.feed(rest)
        return banner
