"""Real calls through call flows Apply Dialplan put on a unit (carrier = a second Asterisk):
an IVR menu (1 -> queue, 2 -> voicemail uploaded to the admin, silence -> hang-up), the
non-working branch, a transfer to an external number out through the route, and a transfer to
an operator (the workplace the agency published in AstDB rings; not logged in: on to next)."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import Schedule, VoicemailMessage, WeeklyRange
from appliance.contracts.agency_dialplan import operator_location
from testkit.ami import AmiError
from testkit.phone import WorkplacePhone

pytestmark = pytest.mark.integration

DID = "74951234567"
TOPIC = "74950000001"


def _menu_flow(after_hours: str | None = None) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {"id": "start", "kind": "start", "next": "hours" if after_hours else "main"},
        {
            "id": "main",
            "kind": "menu",
            "prompt": "greeting",
            "timeout": 3,
            "retries": 2,
            "choices": [{"digit": "1", "next": "sales"}, {"digit": "2", "next": "vm"}],
            "on_timeout": "bye",
            "on_invalid": "bye",
        },
        {"id": "sales", "kind": "queue", "group": "sales", "next": "vm"},
        {"id": "vm", "kind": "voicemail", "mailbox": "office", "max_seconds": 30},
        {"id": "bye", "kind": "hangup"},
    ]
    if after_hours:
        nodes += [
            {
                "id": "hours",
                "kind": "schedule",
                "schedules": [after_hours],
                "open": "main",
                "closed": "closed",
            },
            {"id": "closed", "kind": "play", "sound": "closed", "next": "bye"},
        ]
    return {"version": 1, "nodes": nodes}


@pytest.fixture
def applied(tmp_path, asterisk_unit, admin_server, carrier):
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    return model, unit


def _apply_flow(topic: Any, flow: dict[str, Any]) -> None:
    topic.flow = flow
    topic.save()
    results = apply_dialplan()
    assert all(r.ok for r in results), results


def _app_event(ami, application: str, since: int, timeout: float = 20):
    return ami.wait_event(
        lambda e: e.name == "Newexten" and e.get("Application") == application, timeout, since
    )


def test_pressing_1_in_the_menu_reaches_the_groups_queue(applied, carrier):
    model, unit = applied
    _apply_flow(model.topic, _menu_flow())
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        assert call.wait_answered(20)
        read = _app_event(ami, "Read", mark)
        call.send_dtmf("1")
        joined = ami.wait_event("QueueCallerJoin", 20, mark)
        topic = ami.action("Getvar", Channel=joined["Channel"], Variable="UZOR_TOPIC")
        call.hangup()

    assert read["Context"] == "Inbound" and read["Extension"] == TOPIC
    assert "/uzor-confgen/sounds/greeting-" in read["AppData"]
    assert joined["Queue"] == "sales"
    assert topic["Value"] == str(model.topic.pk)


def test_pressing_2_records_a_voicemail_the_admin_lists_and_plays(applied, carrier):
    model, unit = applied
    _apply_flow(model.topic, _menu_flow())
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>', playback="demo-congrats")
        assert call.wait_answered(20)
        _app_event(ami, "Read", mark)
        call.send_dtmf("2")
        record = _app_event(ami, "Record", mark)
        time.sleep(3)  # let the caller speak (demo-congrats plays into the recording)
        call.hangup()

    assert record["Context"] == "Inbound"
    assert "/uzor-confgen/voicemail/office/" in record["AppData"]
    message = _wait_for_voicemail(unit)
    assert message.mailbox == "office"
    assert message.caller == "79161234567"
    assert message.topic_number == TOPIC
    assert message.unit == unit.pbx
    assert message.duration > 0
    assert not list((unit.cache / "voicemail" / "office").glob("*.wav"))  # uploaded, removed

    admin = get_user_model().objects.create_superuser("boss", password="s3cret-pass-1")
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/callcenter/voicemailmessage/")
    assert listing.status_code == 200
    assert b"79161234567" in listing.content
    audio_url = f"/admin/callcenter/voicemailmessage/{message.pk}/audio/"
    assert audio_url.encode() in listing.content
    played = client.get(audio_url)
    assert played["Content-Type"] == "audio/wav"
    assert b"".join(played.streaming_content)[:4] == b"RIFF"
    played.close()
    downloaded = client.get(audio_url + "?download=1")
    downloaded.close()
    assert downloaded["Content-Disposition"].startswith("attachment;")


def _wait_for_voicemail(unit, timeout: float = 30.0) -> VoicemailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = VoicemailMessage.objects.first()
        if message is not None:
            return message
        time.sleep(0.5)
    raise AssertionError("no voicemail reached the admin; confgen log:\n" + unit.confgen_log())


def test_silence_in_the_menu_hangs_up_after_the_retries(applied, carrier):
    model, unit = applied
    _apply_flow(model.topic, _menu_flow())
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        report = carrier.call(DID, hold=60)
        reads = [e for e in ami.events[mark:] if e.get("Application") == "Read"]
        with pytest.raises(AmiError):
            ami.wait_event("QueueCallerJoin", 0, mark)
        with pytest.raises(AmiError):
            _app_event(ami, "Record", mark, timeout=0)

    assert len(reads) == 2  # the prompt asked twice (retries), then the timeout branch
    assert report.answered
    assert report.cause == 16  # the unit hung up


def test_the_non_working_branch_plays_the_closed_sound(applied, carrier):
    model, unit = applied
    always = Schedule(name="always")
    always.save()
    for weekday in range(7):
        WeeklyRange(
            schedule=always,
            weekday=weekday,
            start_time=datetime.time(0, 0),
            end_time=datetime.time(23, 59),
        ).save()
    _apply_flow(model.topic, _menu_flow(after_hours="always"))
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        report = carrier.call(DID, hold=30)
        played = _app_event(ami, "Playback", mark)
        with pytest.raises(AmiError):
            _app_event(ami, "Read", mark, timeout=0)

    assert "/uzor-confgen/sounds/closed-" in played["AppData"]
    assert report.answered and report.cause == 16


def test_queue_overflow_transfers_to_an_external_number_through_the_route(applied, carrier):
    """Nobody answers in the queue: after its maximum wait the call goes out to a number."""
    model, unit = applied
    flow = {
        "version": 1,
        "nodes": [
            {"id": "start", "kind": "start", "next": "tag"},
            {"id": "tag", "kind": "set", "caller_id_prefix": "VIP ", "next": "sales"},
            {"id": "sales", "kind": "queue", "group": "sales", "max_wait": 2, "next": "out"},
            {"id": "out", "kind": "transfer", "target": "external", "number": "89037203559"},
        ],
    }
    _apply_flow(model.topic, flow)
    carrier.set_inbound("answer", playback="beep", hold=2)
    since = carrier.events.mark()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        received = carrier.wait_for_call(timeout=30, since=since)
        joined = ami.wait_event("QueueCallerJoin", 0, mark)  # it waited in the queue first
        call.hangup()

    assert joined["Queue"] == "sales"

    assert received.number == "89037203559"
    assert received.caller_id_num == "74951112233"  # the route's caller ID
    assert received.caller_id_name.startswith("VIP ")


OPERATOR_FLOW = {
    "version": 1,
    "nodes": [
        {"id": "start", "kind": "start", "next": "op"},
        {
            "id": "op",
            "kind": "transfer",
            "target": "operator",
            "number": "101",
            "ring": 15,
            "next": "bye",
        },
        {"id": "bye", "kind": "hangup", "answer": True},
    ],
}


def test_a_transfer_to_an_operator_rings_the_workplace_published_for_the_agent(applied, carrier):
    """The agency's Setvar of the operator's global (the same AMI action; see
    test_operator_location.py for when it is sent) names workplace 1001 for agent 101: the
    carrier's call rings and is answered there. Emptied, the call goes straight on."""
    model, unit = applied
    with override_settings(UZOR_WORKPLACE_SIGNALLING_FROM=["127.0.0.2/32"]):
        _apply_flow(model.topic, OPERATOR_FLOW)
    ast = unit.asterisk
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", model.workplace.sip_secret)
    try:
        phone.register()
        with ast.ami() as ami:
            put = ami.action("Setvar", Variable=operator_location("101"), Value="1001")
            assert put["Response"] == "Success", put
            phone.answer(calls=1)
            mark = ami.mark()
            call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
            dialed = ami.wait_event(
                lambda e: e.name == "DialEnd" and e.get("DialStatus") == "ANSWER", 30, mark
            )
            call.hangup()
            phone.wait()

            gone = ami.action("Setvar", Variable=operator_location("101"), Value="")
            assert gone["Response"] == "Success", gone
            mark = ami.mark()
            report = carrier.call(DID, hold=30)
            with pytest.raises(AmiError):
                ami.wait_event("DialBegin", 0, mark)
    finally:
        phone.close()

    assert dialed["DestChannel"].startswith("PJSIP/1001-")
    assert dialed["Context"] == "Inbound" and dialed["Exten"] == TOPIC
    assert report.answered and report.cause == 16  # not logged in: on to the hang-up node
