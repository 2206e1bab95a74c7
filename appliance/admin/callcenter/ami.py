"""A small synchronous AMI client for Apply Dialplan (login, one action at a time).

Not the agency's client: this one logs in with ``Events: off``, sends an action, reads until
the response with its ActionID arrives, and closes. Every failure is an ``AmiError`` whose
message says what went wrong in the admin's language (no raw OS or Asterisk text), for the
admin to show.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import socket
import time

from django.utils.translation import gettext as _

BANNER = "Asterisk Call Manager"
CONNECT_TIMEOUT = 5.0  # a unit that is down must not hold Apply Dialplan up


class AmiError(Exception):
    """Connecting, logging in or an action failed; str() is the reason to show."""


def network_reason(exc: OSError) -> str:
    """An OS network error in the admin's words (the OS says it in English only)."""
    if isinstance(exc, socket.gaierror):
        return _("the host name is unknown")
    if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
        return _("no answer in time")
    reasons = {
        errno.ECONNREFUSED: _("the connection was refused (is Asterisk running, is the AMI "
                              "port right?)"),
        errno.EHOSTUNREACH: _("the host is unreachable"),
        errno.ENETUNREACH: _("the network is unreachable"),
        errno.ECONNRESET: _("the connection was reset"),
        errno.EPIPE: _("the connection was closed"),
    }  # fmt: skip
    return reasons.get(exc.errno or 0, _("network error %(code)s") % {"code": exc.errno})


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
        raise AmiError(_("an AMI header value may not contain a line break: %(value)r")
                       % {"value": text})  # fmt: skip
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
                _("cannot connect to AMI at %(address)s: %(reason)s")
                % {"address": f"{host}:{port}", "reason": network_reason(exc)}
            ) from exc
        banner = self._read_line()
        if not banner.startswith(BANNER):
            self.close()
            raise AmiError(_("not an Asterisk manager at %(address)s")
                           % {"address": f"{host}:{port}"})  # fmt: skip

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
            raise AmiError(_("the unit refused the AMI login of %(user)s: check the AMI user and "
                             "secret") % {"user": username})  # fmt: skip

    def action(self, name: str, timeout: float | None = None, **headers: object) -> dict[str, str]:
        """Send an action; return its response message (whatever its Response: says)."""
        action_id = f"uzor-apply-{next(self._ids)}"
        lines = [f"Action: {_clean(name)}", f"ActionID: {action_id}"]
        lines.extend(f"{_clean(k)}: {_clean(v)}" for k, v in headers.items())
        try:
            self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        except OSError as exc:
            raise AmiError(_("the AMI connection was lost sending %(action)s: %(reason)s")
                           % {"action": name, "reason": network_reason(exc)}) from exc  # fmt: skip
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._read_message(deadline, name)
            if message.get("ActionID") == action_id and "Response" in message:
                return message

    def _read_line(self) -> str:
        deadline = time.monotonic() + self.timeout
        while b"\r\n" not in self._buffer:
            self._recv(deadline, _("the greeting"))
        line, _sep, self._buffer = self._buffer.partition(b"\r\n")
        return line.decode(errors="replace")

    def _read_message(self, deadline: float, waiting_for: str) -> dict[str, str]:
        while b"\r\n\r\n" not in self._buffer:
            self._recv(deadline, waiting_for)
        block, _sep, self._buffer = self._buffer.partition(b"\r\n\r\n")
        return parse_message(block.decode(errors="replace"))

    def _recv(self, deadline: float, waiting_for: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AmiError(_("no answer from AMI to %(what)s in time") % {"what": waiting_for})
        self._sock.settimeout(remaining)
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError as exc:
            raise AmiError(_("no answer from AMI to %(what)s in time")
                           % {"what": waiting_for}) from exc  # fmt: skip
        except OSError as exc:
            reason = network_reason(exc)
            raise AmiError(_("the AMI connection was lost waiting for %(what)s: %(reason)s")
                           % {"what": waiting_for, "reason": reason}) from exc  # fmt: skip
        if not chunk:
            raise AmiError(_("AMI closed the connection waiting for %(what)s")
                           % {"what": waiting_for})  # fmt: skip
        self._buffer += chunk
