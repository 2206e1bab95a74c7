"""AMI errors. ``retryable`` tells a caller whether trying again later may succeed."""

from __future__ import annotations

from appliance.ami.codec import Message


class AMIError(Exception):
    retryable = False


class NotConnectedError(AMIError):
    """The unit's AMI link is down; the action was not sent."""

    retryable = True


class ConnectionLostError(AMIError):
    """The link broke after the action was sent: it may or may not have run. Never re-sent."""


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
