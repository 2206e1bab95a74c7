"""Real calls through the configuration Apply Dialplan put on a unit (carrier = a second
Asterisk): inbound DID -> transformation -> topic -> greeting -> queue; closed hours; outbound
<prefix><number> through the first matching route; an unrouted number refused."""

from __future__ import annotations

import datetime

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import Schedule, SpecificDate, WeeklyRange
from testkit.ami import AmiError
from testkit.workplace_sipp import call_as_workplace

pytestmark = pytest.mark.integration

DID = "74951234567"


@pytest.fixture
def applied(tmp_path, asterisk_unit, admin_server, carrier):
    """The walkthrough model applied on one unit whose gateway is the carrier."""
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    return model, unit


def _schedule(name: str, always: bool) -> Schedule:
    schedule = Schedule(name=name)
    schedule.save()
    if always:
        for weekday in range(7):
            WeeklyRange(
                schedule=schedule,
                weekday=weekday,
                start_time=datetime.time(0, 0),
                end_time=datetime.time(23, 59),
            ).save()
    else:
        SpecificDate(schedule=schedule, date=datetime.date(2001, 1, 1)).save()
    return schedule


def _apply() -> None:
    results = apply_dialplan()
    assert all(r.ok for r in results), results


def _app_event(ami, application: str, since: int, timeout: float = 20):
    return ami.wait_event(
        lambda e: e.name == "Newexten" and e.get("Application") == application, timeout, since
    )


def test_a_call_to_the_did_reaches_the_topic_greeting_and_queue(applied, carrier):
    model, unit = applied
    model.topic.non_working_schedules.set([_schedule("never", always=False)])
    model.topic.hide_caller_number = True
    model.topic.save()
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')

        greeting = _app_event(ami, "Playback", mark)
        joined = ami.wait_event("QueueCallerJoin", 20, mark)
        topic = ami.action("Getvar", Channel=joined["Channel"], Variable="UZOR_TOPIC")
        script = ami.action("Getvar", Channel=joined["Channel"], Variable="UZOR_SCRIPT_URL")
        hidden = ami.action("Getvar", Channel=joined["Channel"], Variable="UZOR_CALLER_HIDDEN")
        presentation = ami.action("Getvar", Channel=joined["Channel"], Variable="CALLERID(pres)")
        call.hangup()

    assert greeting["Context"] == "Inbound" and greeting["Extension"] == "74950000001"
    assert "/uzor-confgen/sounds/greeting-" in greeting["AppData"]
    assert joined["Queue"] == "sales"
    assert joined["CallerIDNum"] == "79161234567"
    assert topic["Value"] == str(model.topic.pk)
    assert script["Value"] == "https://crm.example/s?id=1"
    assert hidden["Value"] == "1"
    assert presentation["Value"].startswith("prohib")  # withheld towards the operator
    assert call.wait_ended(20).answered


def test_outside_the_schedule_the_caller_hears_the_closed_sound_and_no_queue(applied, carrier):
    model, unit = applied
    model.topic.non_working_schedules.set([_schedule("always", always=True)])
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        report = carrier.call(DID, hold=30)
        played = _app_event(ami, "Playback", mark)
        with pytest.raises(AmiError):
            ami.wait_event("QueueCallerJoin", 0, mark)

    assert "/uzor-confgen/sounds/closed-" in played["AppData"]
    assert report.answered
    assert report.cause == 16  # the unit hung up after the sound


def test_a_number_no_route_matches_is_refused_with_no_route_cause(applied, carrier):
    _model, unit = applied
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        ami.action(
            "Originate",
            Channel="Local/1117777@Outbound",
            Application="Wait",
            Data="3",
            Async="true",
        )
        hangup = ami.wait_event(
            lambda e: e.name == "Hangup" and e.get("Context") == "uzor-routes", 20, mark
        )

    assert hangup["Cause"] == "3"  # no route to destination
    assert not [c for c in carrier.received_calls() if c.number.endswith("7777")]


def test_a_sip_call_from_the_workplace_endpoint_reaches_the_carrier(applied, carrier):
    model, unit = applied
    _apply()
    carrier.set_inbound("answer", playback="beep", hold=2)
    since = carrier.events.mark()
    ast = unit.asterisk

    sipp = call_as_workplace(
        (ast.sip_host, ast.sip_port),
        "1001",
        model.workplace.sip_secret,
        "11189037203559",
        final=200,
    )
    assert sipp.returncode == 0, sipp.stdout + sipp.stderr
    received = carrier.wait_for_call(timeout=20, since=since)
    assert received.number == "89037203559"
    assert received.caller_id_num == "74951112233"


def test_a_workplace_call_no_route_matches_is_refused_with_404(applied, carrier):
    model, unit = applied
    _apply()
    ast = unit.asterisk
    sipp = call_as_workplace(
        (ast.sip_host, ast.sip_port), "1001", model.workplace.sip_secret, "1117777", final=404
    )
    assert sipp.returncode == 0, sipp.stdout + sipp.stderr
    assert not [c for c in carrier.received_calls() if c.number.endswith("7777")]
