"""AMI errors: one hierarchy for the asyncio and the blocking client.

``retryable`` tells a caller whether trying again later may succeed without anything changed
(the link was down, the action was not sent); a permanent error needs a person or a fix::

    AMIError
    ├── NotConnectedError       retryable: the action was not sent
    │   └── ConnectFailedError  retryable: no TCP connection (``os_error`` says why)
    │       └── TLSRefusedError no TLS handshake, or not the pinned certificate
    ├── ConnectionLostError     the link broke after sending: the action may have run
    ├── ActionTimeoutError      no response in time: the action may still run
    ├── ActionFailedError       Asterisk answered ``Response: Error``
    ├── LoginFailedError        Asterisk refused the credentials
    └── ProtocolError           not an AMI server, or a message beyond the reading bounds

Actions are never re-sent on ``ConnectionLostError`` or ``ActionTimeoutError``.
"""

from __future__ import annotations

from appliance.ami.codec import Message


class AMIError(Exception):
    retryable = False


class NotConnectedError(AMIError):
    """The unit's AMI link is down; the action was not sent."""

    retryable = True


class ConnectFailedError(NotConnectedError):
    """No TCP connection to the AMI port (refused, unreachable, unknown host, timeout)."""

    def __init__(self, address: str, os_error: OSError) -> None:
        self.address = address
        self.os_error = os_error
        super().__init__(f"cannot connect to AMI at {address}: {os_error}")


class ConnectionLostError(AMIError):
    """The link broke after the action was sent: it may or may not have run. Never re-sent.

    ``os_error`` is the socket's error, or None when the other side closed the connection;
    ``sending`` tells whether it broke while the action was being written."""

    def __init__(
        self, message: str, os_error: OSError | None = None, sending: bool = False
    ) -> None:
        self.os_error = os_error
        self.sending = sending
        super().__init__(message)


class ActionTimeoutError(AMIError):
    """No response in time; the action may still run. Never re-sent."""


class ActionFailedError(AMIError):
    """Asterisk answered ``Response: Error``."""

    def __init__(self, action: str, response: Message) -> None:
        self.action = action
        self.response = response
        super().__init__(f"{action}: {response.get('Message', 'error')}")


class LoginFailedError(AMIError):
    """Asterisk refused the AMI credentials."""


class ProtocolError(AMIError):
    """The peer is not an Asterisk manager, or sent more than the reading bounds allow."""


class TLSRefusedError(ConnectFailedError):
    """The TLS handshake failed: ``certificate`` tells whether the unit's certificate was not
    the pinned one (else the other side spoke no TLS, or none we accept). Not retryable:
    the unit's set-up or the pinned certificate must change."""

    retryable = False

    def __init__(self, address: str, os_error: OSError, *, certificate: bool) -> None:
        self.certificate = certificate
        super().__init__(address, os_error)
        reason = "the certificate is not the pinned one" if certificate else "no TLS handshake"
        self.args = (f"AMI over TLS at {address}: {reason}",)
