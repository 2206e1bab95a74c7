"""Call recording on a real unit: Apply Dialplan puts the MixMonitor hooks on it, a carrier
call to a recorded topic (or answered by a recorded operator) is answered by a registered phone
(SIPp as the workplace, joined to the queue as the agency joins an operator: MemberName = the
agent number), the unit's uzor-confgen uploads the finished file to the admin over HTTPS, sox
reads it there and its length is the unit's own talk time; only a user with the permission may
play it, and the play is logged."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from django.urls import reverse

from appliance.admin.callcenter.admin_pages.recordings import recording_url
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import Operator, Recording, RecordingAccess
from testkit.phone import WorkplacePhone
from testkit.tools import require_tool

pytestmark = pytest.mark.integration

DID = "74951234567"
TOPIC = "74950000001"
TALK_SECONDS = 5  # how long the call stays connected before the caller hangs up


@pytest.fixture
def applied(tmp_path, asterisk_unit, admin_server, carrier):
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    return model, unit


def _apply() -> None:
    with override_settings(UZOR_WORKPLACE_SIGNALLING_FROM=["127.0.0.2/32"]):  # SIPp's address
        results = apply_dialplan()
    assert all(r.ok for r in results), results


def _answered_call(model, unit, carrier):
    """A carrier call to the topic answered by operator 101 at workplace 1001's phone, held
    TALK_SECONDS; the queue's AgentConnect and AgentComplete events."""
    ast = unit.asterisk
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", model.workplace.sip_secret)
    try:
        phone.register()
        with ast.ami() as ami:
            added = ami.action(
                "QueueAdd", Queue="sales", Interface="PJSIP/1001", MemberName="101", Penalty="0"
            )
            assert added["Response"] == "Success", added
            phone.answer(calls=1)
            mark = ami.mark()
            call = carrier.start_call(
                DID, caller_id='"Ivan" <79161234567>', playback="demo-congrats"
            )
            connect = ami.wait_event("AgentConnect", 30, mark)
            time.sleep(TALK_SECONDS)  # the talk the recording must hold
            call.hangup()
            complete = ami.wait_event("AgentComplete", 30, connect.position)
            phone.wait()
    finally:
        phone.close()
    return connect, complete


def _uploaded(unit, timeout: float = 60.0) -> Recording:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = Recording.objects.first()
        if found is not None:
            return found
        time.sleep(0.5)
    raise AssertionError("no recording reached the admin; confgen log:\n" + unit.confgen_log())


def _soxi_seconds(path: Path) -> float:
    soxi = require_tool("soxi", "sox")
    out = subprocess.run([soxi, "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _client(name: str, *codenames: str) -> Client:
    user = User.objects.create_user(name, password=f"{name}-pass-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="callcenter", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who_says_record", ["topic", "operator"])
def test_a_recorded_call_reaches_the_admin_plays_and_is_refused_without_the_right(
    applied, carrier, who_says_record
):
    model, unit = applied
    if who_says_record == "topic":
        model.topic.record_calls = True
        model.topic.save()
    else:
        operator = Operator.objects.get(agent_number="101")
        operator.record_calls = True
        operator.save()
    _apply()

    connect, complete = _answered_call(model, unit, carrier)

    recording = _uploaded(unit)
    assert recording.call_id == connect["Linkedid"]
    assert recording.uniqueid == connect["DestUniqueid"]  # the operator's leg
    assert (recording.direction, recording.topic_number, recording.agent_number) == (
        "inbound",
        TOPIC,
        "101",
    )
    assert recording.unit == unit.pbx
    stored = Path(recording.file.path)
    assert stored.is_relative_to(Path(recording.file.storage.location) / "recordings")
    talk = int(complete["TalkTime"])  # the unit's own account of the talk
    assert talk >= TALK_SECONDS - 1
    assert abs(_soxi_seconds(stored) - talk) <= 1.5, (talk, _soxi_seconds(stored))
    assert abs(recording.duration - talk) <= 1.5
    assert not list((unit.cache / "recordings").glob("*.wav"))  # uploaded, removed on the unit

    audio = reverse("admin:callcenter_recording_audio", args=[recording.pk])
    clerk = _client("clerk", "view_operator")
    assert clerk.get(audio).status_code == 403
    assert clerk.get(recording_url(recording.call_id)).status_code == 403
    assert not RecordingAccess.objects.exists()

    supervisor = _client("supervisor", "listen_recording")
    listing = supervisor.get(recording_url(recording.call_id))
    assert listing.status_code == 200 and audio.encode() in listing.content
    played = supervisor.get(audio)
    assert played.status_code == 200 and played["Content-Type"] == "audio/wav"
    assert b"".join(played.streaming_content) == stored.read_bytes()
    played.close()
    access = RecordingAccess.objects.get()
    assert (access.username, access.action, access.call_id) == (
        "supervisor",
        "listen",
        recording.call_id,
    )


def test_nothing_is_recorded_when_neither_says_so(applied, carrier):
    model, unit = applied
    _apply()
    _answered_call(model, unit, carrier)
    # MixMonitor makes its file when the call is bridged; the unit deletes it only once the
    # admin has stored its row: neither exists
    assert not list((unit.cache / "recordings").glob("*.wav"))
    assert not Recording.objects.exists()


@pytest.mark.parametrize("who_says_record", ["topic", "operator"])
def test_an_outbound_call_is_recorded_from_the_carriers_answer(applied, carrier, who_says_record):
    """The agency's Originate of an operator's call (the workplace rings first, then the number
    goes out through the route with UZOR_AGENT set): recorded while the parties talk."""
    model, unit = applied
    if who_says_record == "topic":
        model.outbound.record_calls = True
        model.outbound.save()
    else:
        Operator.objects.filter(agent_number="101").update(record_calls=True)
    _apply()
    carrier.set_inbound("answer", playback="beep", hold=TALK_SECONDS)
    ast = unit.asterisk
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", model.workplace.sip_secret)
    try:
        phone.register()
        phone.answer(calls=1)
        with ast.ami() as ami:
            mark = ami.mark()
            started = ami.action(
                "Originate",
                Channel="PJSIP/1001",
                Context="Outbound",
                Exten="11189037203559",
                Priority="1",
                Variable="UZOR_AGENT=101",
                Async="true",
            )
            assert started["Response"] == "Success", started

            def workplace(name: str):
                return lambda e: e.name == name and e.get("Channel", "").startswith("PJSIP/1001-")

            entered = ami.wait_event(workplace("BridgeEnter"), 30, mark)
            left = ami.wait_event(workplace("BridgeLeave"), 60, entered.position)
        phone.wait()
    finally:
        phone.close()

    recording = _uploaded(unit)
    assert recording.call_id == entered["Linkedid"]
    assert recording.uniqueid == entered["Uniqueid"]  # the workplace's leg
    assert (recording.direction, recording.topic_number, recording.agent_number) == (
        "outbound",
        "111",
        "101",
    )
    talk = left.received_at - entered.received_at  # as this test saw the bridge
    assert talk >= TALK_SECONDS - 1
    assert abs(_soxi_seconds(Path(recording.file.path)) - talk) <= 1.5, talk
