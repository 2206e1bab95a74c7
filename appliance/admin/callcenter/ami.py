"""A small synchronous AMI client for Apply Dialplan (login, one action at a time).

Not the agency's client: this one logs in with ``Events: off``, sends an action, reads until
the response with its ActionID arrives, and closes. Every failure is an ``AmiError`` whose
message says what went wrong, for the admin to show.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import time

BANNER = "Asterisk Call Manager"
CONNECT_TIMEOUT = 5.0  # a unit that is down must not hold Apply Dialplan up


class AmiError(Exception):
    """Connecting, logging in or an action failed; str() is the reason to show."""


def parse_message(block: str) -> dict[str, str]:
    """One AMI message (without the blank line) -> its headers; repeated headers joined by \\n."""
    message: dict[str, str] = {}
    for line in block.split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            key, value = "Output", line
        value = value[1:] if value.startswith(" ") else value
        message[key] = f"{message[key]}\n{value}" if key in message else value
    return message


def _clean(value: object) -> str:
    text = str(value)
    if "\r" in text or "\n" in text:
        raise AmiError(f"an AMI header value may not contain a line break: {text!r}")
    return text


class AmiClient:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._buffer = b""
        try:
            self._sock = socket.create_connection(
                (host, port), timeout=min(timeout, CONNECT_TIMEOUT)
            )
        except OSError as exc:
            raise AmiError(
                f"cannot connect to AMI at {host}:{port}: {exc.strerror or exc}"
            ) from exc
        banner = self._read_line()
        if not banner.startswith(BANNER):
            self.close()
            raise AmiError(f"not an Asterisk manager at {host}:{port}: {banner[:60]!r}")

    def __enter__(self) -> AmiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()

    def login(self, username: str, secret: str) -> None:
        response = self.action("Login", Username=username, Secret=secret, Events="off")
        if response.get("Response") != "Success":
            raise AmiError(f"AMI login as {username!r} refused: {response.get('Message', '')}")

    def action(self, name: str, timeout: float | None = None, **headers: object) -> dict[str, str]:
        """Send an action; return its response message (whatever its Response: says)."""
        action_id = f"uzor-apply-{next(self._ids)}"
        lines = [f"Action: {_clean(name)}", f"ActionID: {action_id}"]
        lines.extend(f"{_clean(k)}: {_clean(v)}" for k, v in headers.items())
        try:
            self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        except OSError as exc:
            raise AmiError(f"AMI connection lost sending {name}: {exc}") from exc
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._read_message(deadline, name)
            if message.get("ActionID") == action_id and "Response" in message:
                return message

    def _read_line(self) -> str:
        deadline = time.monotonic() + self.timeout
        while b"\r\n" not in self._buffer:
            self._recv(deadline, "the banner")
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line.decode(errors="replace")

    def _read_message(self, deadline: float, waiting_for: str) -> dict[str, str]:
        while b"\r\n\r\n" not in self._buffer:
            self._recv(deadline, waiting_for)
        block, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        return parse_message(block.decode(errors="replace"))

    def _recv(self, deadline: float, waiting_for: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AmiError(f"no answer from AMI to {waiting_for} in time")
        self._sock.settimeout(remaining)
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError as exc:
            raise AmiError(f"no answer from AMI to {waiting_for} in time") from exc
        except OSError as exc:
            raise AmiError(f"AMI connection lost waiting for {waiting_for}: {exc}") from exc
        if not chunk:
            raise AmiError(f"AMI closed the connection waiting for {waiting_for}")
        self._buffer += chunk
