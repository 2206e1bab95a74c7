"""Apply Dialplan's AMI access: :mod:`appliance.ami.sync` with the errors in the admin's words.

The client logs in with ``Events: off``, sends an action, reads until the response with its
ActionID arrives, and closes. Every failure is an ``AmiError`` whose message says what went
wrong in the admin's language with the unit's host:port, for the admin to show: a fixed text,
never the OS's words nor anything the other side sent (its banner, a ``Message:``), which
could be any host's bytes.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from appliance.ami import errors
from appliance.ami.codec import Message
from appliance.ami.sync import SyncAMIClient
from appliance.ami.tls import CertificateTextError, PinnedCertificate

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
        errno.ECONNREFUSED: _(
            "the connection was refused (is Asterisk running, is the AMI port right?)"
        ),
        errno.EHOSTUNREACH: _("the host is unreachable"),
        errno.ENETUNREACH: _("the network is unreachable"),
        errno.ECONNRESET: _("the connection was reset"),
        errno.EPIPE: _("the connection was closed"),
    }
    return reasons.get(exc.errno or 0, _("network error %(code)s") % {"code": exc.errno})


@contextmanager
def _in_admin_words(address: str, waiting_for: str) -> Iterator[None]:
    """Re-raise the AMI package's errors as ``AmiError`` with a translated reason."""
    values = {"address": address, "what": waiting_for}
    try:
        yield
    except errors.ActionTimeoutError as exc:
        raise AmiError(_("no answer from AMI at %(address)s to %(what)s in time") % values) from exc
    except errors.ConnectionLostError as exc:
        if exc.os_error is None:
            raise AmiError(
                _("AMI at %(address)s closed the connection waiting for %(what)s") % values
            ) from exc
        values["reason"] = network_reason(exc.os_error)
        if exc.sending:
            raise AmiError(
                _("the AMI connection to %(address)s was lost sending %(what)s: %(reason)s")
                % values
            ) from exc
        raise AmiError(
            _("the AMI connection to %(address)s was lost waiting for %(what)s: %(reason)s")
            % values
        ) from exc
    except errors.ProtocolError as exc:
        raise AmiError(
            _("the AMI answer from %(address)s to %(what)s could not be read") % values
        ) from exc


def _pinned(address: str, certificate: str) -> PinnedCertificate | None:
    """The unit's pinned AMI certificate; None (plain TCP) when none is stored."""
    if not certificate.strip():
        return None
    try:
        return PinnedCertificate(certificate)
    except (CertificateTextError, ssl.SSLError) as exc:
        raise AmiError(
            _("the AMI certificate stored for the unit at %(address)s is not a PEM certificate")
            % {"address": address}
        ) from exc


class AmiClient:
    """One AMI connection to a unit; over TLS trusting only ``tls_certificate`` (PEM) when
    given, else plain TCP."""

    def __init__(
        self, host: str, port: int, timeout: float = 10.0, tls_certificate: str = ""
    ) -> None:
        address = self.address = f"{host}:{port}"
        tls = _pinned(address, tls_certificate)
        with _in_admin_words(address, _("the greeting")):
            try:
                self._client = SyncAMIClient(
                    host,
                    port,
                    timeout=timeout,
                    connect_timeout=min(timeout, CONNECT_TIMEOUT),
                    id_prefix="uzor-apply",
                    tls=tls,
                )
            except errors.TLSRefusedError as exc:
                if exc.certificate:
                    raise AmiError(
                        _(
                            "the unit at %(address)s did not show the AMI certificate pinned for "
                            "it: AMI refused (paste the unit's current certificate if "
                            "uzor-pbx-setup made a new one)"
                        )
                        % {"address": address}
                    ) from exc
                raise AmiError(
                    _(
                        "no TLS from AMI at %(address)s: is it the unit's AMI over TLS port "
                        "(5039), set up by uzor-pbx-setup?"
                    )
                    % {"address": address}
                ) from exc
            except errors.ConnectFailedError as exc:
                raise AmiError(
                    _("cannot connect to AMI at %(address)s: %(reason)s")
                    % {"address": address, "reason": network_reason(exc.os_error)}
                ) from exc
            except errors.ProtocolError as exc:
                raise AmiError(
                    _("not an Asterisk manager at %(address)s") % {"address": address}
                ) from exc

    def __enter__(self) -> AmiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def login(self, username: str, secret: str) -> None:
        try:
            with _in_admin_words(self.address, "Login"):
                self._client.login(username, secret, events="off")
        except errors.LoginFailedError as exc:
            raise AmiError(
                _(
                    "the unit at %(address)s refused the AMI login of %(user)s: check the AMI "
                    "user and secret"
                )
                % {"address": self.address, "user": username}
            ) from exc

    def action(self, name: str, timeout: float | None = None, **headers: object) -> Message:
        """Send an action; return its response message (whatever its Response: says)."""
        for key, value in (("Action", name), *headers.items()):
            if ":" in key or "\r" in key or "\n" in key:
                raise AmiError(
                    _("an AMI header name may not contain a colon or a line break: %(value)r")
                    % {"value": key}
                )
            text = str(value)
            if "\r" in text or "\n" in text:
                raise AmiError(
                    _("an AMI header value may not contain a line break: %(value)r")
                    % {"value": text}
                )
        with _in_admin_words(self.address, name):
            return self._client.action(name, headers, timeout=timeout)
