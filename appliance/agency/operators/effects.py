"""What an operator's action or a state transition asks the service to do on Asterisk.

Every change the agency makes on a PBX unit is one of these values; one executor
(:func:`appliance.agency.operators.asterisk.apply`) carries them out, in order, against AMI.
Queue membership (``Join`` .. ``Unpause``), the operator's published workplace (``Locate``,
``Unlocate``) and ``Logout`` come from the state machine; the call
control effects (``Originate`` .. ``Bridge``) from the call actions of :mod:`.calls`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Join:
    """Add the workplace to the queues of the operator's groups."""

    paused: bool
    reason: str


@dataclass(frozen=True)
class Leave:
    """Remove the workplace from every queue."""


@dataclass(frozen=True)
class Locate:
    """Publish the operator's workplace on the unit (the global ``UZOR_OPERATOR_<agent>``), where a
    call flow's transfer to an operator finds it."""


@dataclass(frozen=True)
class Unlocate:
    """Withdraw the published workplace: a transfer to the operator takes its no-answer branch."""


@dataclass(frozen=True)
class Pause:
    """``QueuePause`` paused with a reason (``wrapup`` for post-call work)."""

    reason: str


@dataclass(frozen=True)
class Unpause:
    """``QueuePause`` unpaused: the operator is Ready."""


@dataclass(frozen=True)
class Logout:
    """End the terminal's session (``reason`` for the ``logged_out`` event)."""

    reason: str


# call control: one AMI action each ------------------------------------------------------------
class Command:
    """An effect that is exactly one AMI action with these headers."""

    action: ClassVar[str]

    def headers(self) -> dict[str, str]:
        raise NotImplementedError


@dataclass(frozen=True)
class Originate(Command):
    """Place a call from ``channel`` to ``exten`` in ``context`` (Asterisk runs it async)."""

    action = "Originate"
    channel: str
    context: str
    exten: str
    caller_id: str
    timeout_ms: int | None = None
    channel_id: str | None = None
    variables: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {
            "Channel": self.channel,
            "Context": self.context,
            "Exten": self.exten,
            "Priority": "1",
            "CallerID": self.caller_id,
        }
        if self.timeout_ms is not None:
            headers["Timeout"] = str(self.timeout_ms)
        if self.channel_id is not None:
            headers["ChannelId"] = self.channel_id
        if self.variables is not None:
            headers["Variable"] = self.variables
        return headers


@dataclass(frozen=True)
class Hangup(Command):
    """Hang ``channel`` up (by default with cause 16, normal clearing)."""

    action = "Hangup"
    channel: str
    cause: str | None = "16"

    def headers(self) -> dict[str, str]:
        cause = {} if self.cause is None else {"Cause": self.cause}
        return {"Channel": self.channel, **cause}


@dataclass(frozen=True)
class BlindTransfer(Command):
    action = "BlindTransfer"
    channel: str
    exten: str
    context: str

    def headers(self) -> dict[str, str]:
        return {"Channel": self.channel, "Exten": self.exten, "Context": self.context}


@dataclass(frozen=True)
class AttendedTransfer(BlindTransfer):
    """``Atxfer``: hold the call and dial ``exten`` (the feature code as DTMF frames); the same
    headers as a blind transfer."""

    action = "Atxfer"


@dataclass(frozen=True)
class PlayDigit(Command):
    action = "PlayDTMF"
    channel: str
    digit: str

    def headers(self) -> dict[str, str]:
        return {"Channel": self.channel, "Digit": self.digit}


@dataclass(frozen=True)
class SetVariable(Command):
    action = "Setvar"
    channel: str
    variable: str
    value: str

    def headers(self) -> dict[str, str]:
        return {"Channel": self.channel, "Variable": self.variable, "Value": self.value}


@dataclass(frozen=True)
class Place:
    """A dialplan location."""

    context: str
    exten: str
    priority: str = "1"

    def headers(self, prefix: str = "") -> dict[str, str]:
        return {
            f"{prefix}Context": self.context,
            f"{prefix}Exten": self.exten,
            f"{prefix}Priority": self.priority,
        }


@dataclass(frozen=True)
class Redirect(Command):
    """Send ``channel`` to ``place`` (and ``extra_channel`` with it, to ``extra_place``)."""

    action = "Redirect"
    channel: str
    place: Place
    extra_channel: str = ""
    extra_place: Place | None = None

    def headers(self) -> dict[str, str]:
        headers = {"Channel": self.channel, **self.place.headers()}
        if self.extra_channel:
            headers["ExtraChannel"] = self.extra_channel
            headers |= (self.extra_place or self.place).headers("Extra")
        return headers


@dataclass(frozen=True)
class Bridge(Command):
    action = "Bridge"
    channel1: str
    channel2: str

    def headers(self) -> dict[str, str]:
        return {"Channel1": self.channel1, "Channel2": self.channel2, "Tone": "no"}


@dataclass(frozen=True)
class AddExtension(Command):
    """One line of the agency's own dialplan (``Replace: yes``: adding it again is harmless)."""

    action = "DialplanExtensionAdd"
    context: str
    extension: str
    priority: str
    application: str
    data: str

    def headers(self) -> dict[str, str]:
        return {
            "Context": self.context,
            "Extension": self.extension,
            "Priority": self.priority,
            "Application": self.application,
            "ApplicationData": self.data,
            "Replace": "yes",
        }


Effect = Join | Leave | Locate | Unlocate | Pause | Unpause | Logout | Command


@dataclass(frozen=True)
class Plan:
    """An operator action's outcome: the effects to carry out, then ``done`` (run only when
    they all succeeded) commits the new state, tells the terminal and gives the reply's data."""

    effects: Sequence[Effect]
    done: Callable[[], dict[str, Any]]
