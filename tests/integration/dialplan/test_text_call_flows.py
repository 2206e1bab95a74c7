"""The text mode on a real unit: a topic's flow written as dialplan text in the admin, applied
by Apply Dialplan and called from the carrier (menu digit 1 -> the group's queue -> after its
maximum wait out to a number through the routes); a bad line is refused with its number."""

from __future__ import annotations

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.callflow.text import flow_to_text
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import InboundTopic
from appliance.admin.callcenter.tests.admin_client import form_errors

pytestmark = pytest.mark.integration

DID = "74951234567"

TEXT = """\
; the topic's flow written by hand
exten => s,1,Answer()
 same => n(menu),Background(greeting)
 same => n,WaitExten(5)
 same => n,Hangup()
exten => 1,1,Set(CALLERID(name)=VIP ${CALLERID(name)})
 same => n,Queue(sales,t,,,2)
 same => n,Dial(Local/89037203559@uzor-routes,30)
 same => n,Hangup()
exten => t,1,Hangup()
"""


@pytest.fixture
def applied(tmp_path, asterisk_unit, admin_server, carrier):
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    return model, unit


@pytest.fixture
def client():
    admin = get_user_model().objects.create_superuser("boss", password="s3cret-pass-1")
    client = Client()
    client.force_login(admin)
    return client


def _post_text(client: Client, topic: InboundTopic, text: str):
    data = {
        "number": topic.number,
        "description": topic.description,
        "script_url": topic.script_url,
        "non_working_schedules": [],
        "working_sound": topic.working_sound_id or "",
        "non_working_sound": topic.non_working_sound_id or "",
        "group": topic.group_id or "",
        "service_level_seconds": topic.service_level_seconds,
        "name": topic.name,
        "state": topic.state,
        "project": topic.project,
        "project_manager": topic.project_manager,
        "flow_mode": "dialplan",
        "flow_text": flow_to_text(topic.current_flow()),
        "flow_dialplan": text,
    }
    url = reverse("admin:callcenter_inboundtopic_change", args=[topic.pk])
    with translation.override("en"):
        return client.post(url, data)


def test_a_text_flow_saved_in_the_admin_is_applied_and_followed_by_a_real_call(
    applied, carrier, client
):
    model, unit = applied
    bad = TEXT.replace("Dial(Local/89037203559@uzor-routes", "Dial(PJSIP/89037203559@carrier")
    response = _post_text(client, model.topic, bad)
    (error,) = form_errors(response)["flow_dialplan"]
    assert error.startswith("line 8: Dial may only call a workplace")

    response = _post_text(client, model.topic, TEXT)
    assert response.status_code == 302, form_errors(response)
    results = apply_dialplan()
    assert all(r.ok for r in results), results

    carrier.set_inbound("answer", playback="beep", hold=2)
    since = carrier.events.mark()
    context = f"uzor-flow-{model.topic.pk}"
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        assert call.wait_answered(20)
        background = ami.wait_event(
            lambda e: e.name == "Newexten" and e.get("Application") == "BackGround", 20, mark
        )
        call.send_dtmf("1")
        joined = ami.wait_event("QueueCallerJoin", 20, mark)
        topic = ami.action("Getvar", Channel=joined["Channel"], Variable="UZOR_TOPIC")
        received = carrier.wait_for_call(timeout=30, since=since)
        call.hangup()

    assert (background["Context"], background["Extension"]) == (context, "s")
    assert "/uzor-confgen/sounds/greeting-" in background["AppData"]
    assert joined["Queue"] == "sales"
    assert topic["Value"] == str(model.topic.pk)  # the topic's variables set before the text
    assert received.number == "89037203559"
    assert received.caller_id_num == "74951112233"  # the route's caller ID
    assert received.caller_id_name.startswith("VIP ")
