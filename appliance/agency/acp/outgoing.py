"""Typed constructors of every message the agency sends a terminal, next to ``schema.json``.

Nothing else builds an outgoing message: a constructor names the fields its schema entry has,
so a message that does not match the schema cannot be written. A unit test checks that each
constructor's output validates against the schema and that every server->client message type
of the schema has a constructor (:data:`CONSTRUCTORS`; replies are :func:`result`, errors
:class:`~appliance.agency.acp.messages.ACPError`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from appliance.agency.acp.clients import Client
from appliance.agency.acp.messages import Action, MessageId, encode
from appliance.agency.i18n import Text

Kind = Literal["event", "notification", "warning"]
TransferStage = Literal["consulting", "completed", "cancelled", "failed"]
ConferenceStage = Literal["started", "joined", "ended", "failed"]


@dataclass(frozen=True)
class Outgoing:
    """One message to a terminal; :class:`Text` values are rendered in its language on sending."""

    kind: str
    name: str
    data: Mapping[str, Any]
    id: MessageId | None = None

    def encode(self, language: str) -> str:
        return encode(self.kind, self.name, localized(self.data, language), id=self.id)


def localized(data: Mapping[str, Any], language: str) -> dict[str, Any]:
    """``data`` with its top-level :class:`Text` values rendered in ``language``."""
    for value in data.values():
        if isinstance(value, Text):
            return {k: v.render(language) if isinstance(v, Text) else v for k, v in data.items()}
    return data if isinstance(data, dict) else dict(data)


def _given(**fields: Any) -> dict[str, Any]:
    """The optional fields that have a value (the schema has no nulls for them)."""
    return {key: value for key, value in fields.items() if value is not None}


def deliver(client: Client, message: Outgoing) -> bool:
    """Queue ``message`` for ``client`` in its language; False when the client was dropped."""
    return client.send(message.encode(client.lang))


class Outbox:
    """The operator service's way to the terminals (see ``operators.service.Notifier``)."""

    def send(self, client: Client, message: Outgoing) -> bool:
        return deliver(client, message)


# replies -------------------------------------------------------------------------------------
def result(action: Action, data: Mapping[str, Any]) -> Outgoing:
    """The reply to ``action`` (``<name>.result`` with the action's ``id``)."""
    return Outgoing("event", f"{action.name}.result", data, action.id)


# events --------------------------------------------------------------------------------------
def state_changed(session: Mapping[str, Any]) -> Outgoing:
    """``session`` is the ACP session object (``Session.snapshot``)."""
    return Outgoing("event", "state_changed", session)


def call_incoming(
    call_id: str,
    number: str,
    *,
    caller_name: str | None = None,
    topic: Mapping[str, Any] | None = None,
    script_url: str | None = None,
    group: str | None = None,
) -> Outgoing:
    data = {"call_id": call_id, **_given(caller_name=caller_name), "number": number}
    data |= _given(topic=topic, script_url=script_url, group=group)
    return Outgoing("event", "call_incoming", data)


def call_dialing(call_id: str, number: str, *, topic: Mapping[str, Any] | None = None) -> Outgoing:
    data = {"call_id": call_id, "number": number, **_given(topic=topic)}
    return Outgoing("event", "call_dialing", data)


def call_answered(call_id: str) -> Outgoing:
    return Outgoing("event", "call_answered", {"call_id": call_id})


def call_held(call_id: str) -> Outgoing:
    return Outgoing("event", "call_held", {"call_id": call_id})


def call_unheld(call_id: str) -> Outgoing:
    return Outgoing("event", "call_unheld", {"call_id": call_id})


def call_ended(call_id: str, cause: str | None = None) -> Outgoing:
    return Outgoing("event", "call_ended", {"call_id": call_id, **_given(cause=cause)})


def transfer_progress(
    stage: TransferStage, *, call_id: str | None = None, number: str | None = None
) -> Outgoing:
    data = {**_given(call_id=call_id), "stage": stage, **_given(number=number)}
    return Outgoing("event", "transfer_progress", data)


def conference_progress(stage: ConferenceStage, conference: str | None = None) -> Outgoing:
    data = {"stage": stage, **_given(conference=conference)}
    return Outgoing("event", "conference_progress", data)


def logged_out(reason: str, message: Text | None = None) -> Outgoing:
    return Outgoing("event", "logged_out", {"reason": reason, **_given(message=message)})


# notifications and warnings ------------------------------------------------------------------
def message(text: str, sender: str | None = None) -> Outgoing:
    """A supervisor's message (``from``: who sent it)."""
    data: dict[str, Any] = {"text": text}
    if sender is not None:
        data["from"] = sender
    return Outgoing("notification", "message", data)


def maintenance(active: bool, message: Text | str | None = None) -> Outgoing:
    data = {"active": active, **_given(message=message)}
    return Outgoing("notification", "maintenance", data)


def license_notice(message: Text | str, not_after: str | None = None) -> Outgoing:
    return Outgoing("notification", "license", {"message": message, "not_after": not_after})


def work_codes(
    pause_reasons: list[Mapping[str, Any]],
    dispositions: list[Mapping[str, Any]],
    disposition_required: bool,
) -> Outgoing:
    """The pause reasons and dispositions offered now (names in the terminal's language)."""
    data = {
        "pause_reasons": pause_reasons,
        "dispositions": dispositions,
        "disposition_required": disposition_required,
    }
    return Outgoing("notification", "work_codes", data)


def pbx_available(unit: str, message: Text | None = None) -> Outgoing:
    """The workplace's unit is back (its link resynced): the terminal's phone registers now."""
    return Outgoing("notification", "pbx_available", {"unit": unit, **_given(message=message)})


def pause_expiring(seconds_left: float, message: Text | None = None) -> Outgoing:
    data = {"seconds_left": seconds_left, **_given(message=message)}
    return Outgoing("warning", "pause_expiring", data)


def pbx_unavailable(unit: str, message: Text | None = None) -> Outgoing:
    return Outgoing("warning", "pbx_unavailable", {"unit": unit, **_given(message=message)})


CONSTRUCTORS: dict[str, Callable[..., Outgoing]] = {
    "event.state_changed": state_changed,
    "event.call_incoming": call_incoming,
    "event.call_dialing": call_dialing,
    "event.call_answered": call_answered,
    "event.call_held": call_held,
    "event.call_unheld": call_unheld,
    "event.call_ended": call_ended,
    "event.transfer_progress": transfer_progress,
    "event.conference_progress": conference_progress,
    "event.logged_out": logged_out,
    "notification.message": message,
    "notification.maintenance": maintenance,
    "notification.license": license_notice,
    "notification.work_codes": work_codes,
    "notification.pbx_available": pbx_available,
    "warning.pause_expiring": pause_expiring,
    "warning.pbx_unavailable": pbx_unavailable,
}
"""Every server->client message type of the schema but the replies and the errors."""
