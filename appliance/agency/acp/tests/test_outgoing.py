"""Every message the agency sends is built by a constructor of ``acp/outgoing.py``: each one's
output matches the schema, and every server->client message type of the schema has one."""

from typing import Any

import pytest

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.messages import ACPError, Action, action_names, load_schema
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.i18n import _

SESSION = {
    "mode": "inbound",
    "state": "talking",
    "reason": None,
    "since": "2026-01-01T00:00:00+00:00",
    "state_seconds": 1.5,
    "limit_seconds": None,
    "calls": [{"call_id": "L1", "direction": "inbound", "state": "talking", "number": "100"}],
    "task": None,
    "auto_answer": False,
    "disposition_call": "L0",
    "disposition_needed": False,
}
NAMES = {"ru": "Обед", "en": "Lunch"}
TEXT = _("the agency is under maintenance: new logins are refused")
SAMPLES: dict[str, list[out.Outgoing]] = {
    "event.state_changed": [out.state_changed(SESSION)],
    "event.call_incoming": [
        out.call_incoming("L1", "100"),
        out.call_incoming(
            "L1",
            "hidden",
            caller_name="",
            topic={"number": "500", "description": "Sales", "script_url": None},
            script_url=None,
            group="sales",
        ),
    ],
    "event.call_dialing": [
        out.call_dialing("uzor-1", "100", topic={"prefix": "9"}),
        out.call_dialing("L2", "100"),
    ],
    "event.call_answered": [out.call_answered("L1")],
    "event.call_held": [out.call_held("L1")],
    "event.call_unheld": [out.call_unheld("L1")],
    "event.call_ended": [out.call_ended("L1", "Normal Clearing"), out.call_ended("L1")],
    "event.transfer_progress": [
        out.transfer_progress("consulting", call_id="L1", number="2"),
        out.transfer_progress("cancelled"),
    ],
    "event.conference_progress": [out.conference_progress("started", "2010")],
    "event.logged_out": [out.logged_out("supervisor", TEXT), out.logged_out("replaced")],
    "notification.message": [out.message("hello", "supervisor"), out.message("hi")],
    "notification.maintenance": [out.maintenance(True, TEXT), out.maintenance(False)],
    "notification.license": [out.license_notice(TEXT, "2027-01-01T00:00:00+00:00")],
    "notification.work_codes": [
        out.work_codes(
            [{"code": "lunch", "name": "Обед", "names": NAMES, "max_seconds": 1800}],
            [{"code": "sale", "name": "Продажа", "names": NAMES}],
            True,
        ),
        out.work_codes(
            [{"code": "tech", "name": "Tech", "names": NAMES, "max_seconds": None}], [], False
        ),
    ],
    "notification.pbx_available": [out.pbx_available("unit1", TEXT), out.pbx_available("u2")],
    "warning.pause_expiring": [out.pause_expiring(42.0, TEXT)],
    "warning.pbx_unavailable": [out.pbx_unavailable("unit1", TEXT)],
}


def server_to_client_types() -> set[str]:
    return {key for key in load_schema()["$defs"] if key.split(".")[0] != "action" and key != "id"}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_each_constructor_builds_a_message_the_schema_accepts(key: str, language: str) -> None:
    for message in SAMPLES[key]:
        assert f"{message.kind}.{message.name}" == key
        assert out.CONSTRUCTORS[key].__name__ in dir(out)
        assert_valid(message.encode(language))


def test_every_server_message_type_of_the_schema_has_a_constructor() -> None:
    replies = {f"event.{name}.result" for name in action_names()}
    errors = {key for key in server_to_client_types() if key.startswith("error.")}
    assert server_to_client_types() == set(out.CONSTRUCTORS) | replies | errors
    assert set(SAMPLES) == set(out.CONSTRUCTORS)


def test_a_reply_carries_the_action_s_name_and_id() -> None:
    message = assert_valid(out.result(Action("hangup", {}, "h1"), {}).encode("en"))
    assert (message["type"], message["name"], message["id"]) == ("event", "hangup.result", "h1")


@pytest.mark.parametrize(
    "code", sorted(k.partition(".")[2] for k in server_to_client_types() if k.startswith("error."))
)
def test_every_error_of_the_schema_is_an_acp_error(code: str) -> None:
    details: dict[str, Any] = {"retry_after": 2} if code == "rate_limited" else {}
    error = ACPError(code, _("internal error; try again"), id=1, details=details or None)
    assert assert_valid(error.to_message("ru"))["name"] == code


def test_a_message_missing_a_required_field_does_not_validate() -> None:
    with pytest.raises(AssertionError):
        assert_valid(out.Outgoing("event", "call_incoming", {"number": "1"}).encode("en"))
