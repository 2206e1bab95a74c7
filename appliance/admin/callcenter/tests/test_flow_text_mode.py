"""The text mode in the admin: a topic's flow as dialplan text, checked on save with its line
numbers, explicit switches that never drop work, and the rendered dialplan (real MariaDB)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from appliance.admin.callcenter.callflow.dialplan_text import dialplan_flow
from appliance.admin.callcenter.callflow.text import flow_to_text
from appliance.admin.callcenter.dialplan import load_snapshot
from appliance.admin.callcenter.dialplan.render import render_unit
from appliance.admin.callcenter.dialplan.tests.model import build_model, make_sound
from appliance.admin.callcenter.dialplan.tests.test_render import _sections
from appliance.admin.callcenter.models import FlowTemplate, InboundTopic

from .admin_client import form_errors
from .test_flow_admin import MENU_TEXT

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]

TEXT = """\
exten => s,1,Answer()
 same => n(menu),Background(greeting)
 same => n,WaitExten(5)
exten => 1,1,Queue(sales,t,,,30)
 same => n,Dial(Local/89001234567@uzor-routes,20)
exten => t,1,Goto(s,menu)
"""


@pytest.fixture
def client():
    user = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def topic(tmp_path):
    return build_model(tmp_path).topic


def _form(topic: InboundTopic, **changes: Any) -> dict[str, Any]:
    """The change form as the page posts it (the graph field as the page shows it)."""
    page_flow = topic.standard_flow() if "dialplan" in topic.flow else topic.current_flow()
    data = {
        "number": topic.number,
        "description": topic.description,
        "script_url": topic.script_url,
        "non_working_schedules": [s.pk for s in topic.non_working_schedules.all()],
        "working_sound": topic.working_sound_id or "",
        "non_working_sound": topic.non_working_sound_id or "",
        "group": topic.group_id or "",
        "service_level_seconds": topic.service_level_seconds,
        "name": topic.name,
        "state": topic.state,
        "project": topic.project,
        "project_manager": topic.project_manager,
        "flow_text": flow_to_text(page_flow),
        "flow_dialplan": topic.flow.get("dialplan", ""),
    }
    data.update(changes)
    return data


def _change(topic: InboundTopic) -> str:
    return reverse("admin:callcenter_inboundtopic_change", args=[topic.pk])


def test_a_dialplan_text_is_saved_shown_and_kept_in_the_history(client, topic):
    response = client.post(_change(topic), _form(topic, flow_mode="dialplan", flow_dialplan=TEXT))
    assert response.status_code == 302, form_errors(response)
    topic.refresh_from_db()
    assert topic.flow == dialplan_flow(TEXT)
    assert topic.history.first().flow == topic.flow
    page = client.get(_change(topic)).content.decode()
    assert re.search(r'value="dialplan"[^>]*checked', page)
    assert "Background(greeting)" in page


@translation.override("en")
def test_bad_lines_are_refused_with_their_numbers_and_nothing_is_saved(client, topic):
    bad = TEXT.replace("Queue(sales", "Queue(ghosts").replace("Answer()", "System(id)")
    response = client.post(_change(topic), _form(topic, flow_mode="dialplan", flow_dialplan=bad))
    errors = form_errors(response)["flow_dialplan"]
    assert [e.split(":")[0] for e in errors] == ["line 1", "line 4"]
    assert errors[1] == "line 4: there is no group named ghosts"
    assert InboundTopic.objects.get(pk=topic.pk).flow_is_standard


def test_bad_lines_are_refused_in_russian(client, topic):
    bad = TEXT.replace("Answer()", "System(id)")
    with translation.override("ru"):
        response = client.post(
            _change(topic),
            _form(topic, flow_mode="dialplan", flow_dialplan=bad),
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    (error,) = form_errors(response)["flow_dialplan"]
    assert error.startswith("строка 1: приложение System не допускается")


def test_switching_a_custom_flow_to_text_converts_the_graph(client, topic):
    client.post(_change(topic), _form(topic, flow_mode="custom", flow_text=MENU_TEXT))
    topic.refresh_from_db()
    graph = topic.flow
    response = client.post(_change(topic), _form(topic, flow_mode="dialplan", flow_dialplan=""))
    assert response.status_code == 302, form_errors(response)
    topic.refresh_from_db()
    text = topic.flow["dialplan"]
    assert "exten => s,1(start),NoOp()" in text
    assert " same => n,Read(FLOW_DIGIT,greeting,1,,1,5)" in text
    assert " same => n(sales),Queue(sales,t)" in text
    assert [h.flow for h in topic.history.all()[:2]] == [topic.flow, graph]  # nothing lost


@translation.override("en")
def test_leaving_the_text_needs_a_confirmation_and_typed_text_is_never_dropped(client, topic):
    client.post(_change(topic), _form(topic, flow_mode="dialplan", flow_dialplan=TEXT))
    topic.refresh_from_db()
    response = client.post(_change(topic), _form(topic, flow_mode="custom", flow_text=MENU_TEXT))
    assert "Drop the dialplan text" in form_errors(response)["flow_mode"][0]
    response = client.post(_change(topic), _form(topic, flow_mode="standard"))
    assert "Drop the dialplan text" in form_errors(response)["flow_mode"][0]
    assert InboundTopic.objects.get(pk=topic.pk).flow == dialplan_flow(TEXT)
    # the graph edited while the text stays selected: refused, not silently ignored
    response = client.post(_change(topic), _form(topic, flow_mode="dialplan", flow_text=MENU_TEXT))
    assert "choose Custom" in form_errors(response)["flow_mode"][0]
    # confirmed: the graph replaces the text, which stays in the history
    response = client.post(
        _change(topic), _form(topic, flow_mode="custom", flow_text=MENU_TEXT, drop_dialplan="on")
    )
    assert response.status_code == 302, form_errors(response)
    topic.refresh_from_db()
    assert [n["id"] for n in topic.flow["nodes"]] == ["start", "main", "sales", "bye"]
    assert topic.history.all()[1].flow == dialplan_flow(TEXT)
    # a standard topic with text typed in the dialplan field: refused
    response = client.post(_change(topic), _form(topic, flow_mode="custom", flow_dialplan=TEXT))
    assert "Drop the dialplan text" in form_errors(response)["flow_mode"][0]


def test_a_text_flow_renders_into_the_topics_own_context(client, topic, tmp_path):
    make_sound(tmp_path, "only_in_text")  # shipped to the units because the text names it
    topic.flow = dialplan_flow(TEXT + "exten => i,1,Playback(only_in_text)\n")
    topic.save()
    snapshot = load_snapshot()
    only = snapshot.sounds["only_in_text"].ref
    conf = render_unit(snapshot, "u", 1)["extensions.conf"]
    (inbound,) = _sections(conf, "Inbound")
    assert f"same => n,Goto(uzor-flow-{topic.pk},s,1)" in inbound
    (context,) = _sections(conf, f"uzor-flow-{topic.pk}")
    greeting = snapshot.sounds["greeting"].ref
    assert context.splitlines()[:3] == [
        "exten => s,1,Answer()",
        f"same => n(menu),Background(@UZOR_SOUNDS_DIR@/{greeting})",
        "same => n,WaitExten(5)",
    ]
    assert context.splitlines()[4] == "same => n,Dial(Local/89001234567@uzor-flow-dial,20)"
    assert context.splitlines()[-1] == f"exten => i,1,Playback(@UZOR_SOUNDS_DIR@/{only})"
    (dial,) = _sections(conf, "uzor-flow-dial")
    assert dial.splitlines() == [
        "exten => _[0-9*#+]!,1,Set(UZOR_NUMBER=${FILTER(0-9*#+,${EXTEN})})",
        "same => n,Goto(uzor-routes,s,1)",
    ]


def test_a_text_flow_as_a_template_for_a_new_topic_and_cloned(client, topic):
    data = _form(topic, flow_mode="dialplan", flow_dialplan=TEXT, save_as_template="IVR text")
    assert client.post(_change(topic), data).status_code == 302
    template = FlowTemplate.objects.get(name="IVR text")
    assert template.flow["dialplan"] == TEXT
    # the template's own page edits it as YAML with the text as a block
    page = client.get(reverse("admin:callcenter_flowtemplate_change", args=[template.pk]))
    shown = page.context["adminform"].form["flow_text"].value()
    assert yaml.safe_load(shown) == {"version": 1, "dialplan": TEXT}
    post = {"name": "IVR text", "description": "", "flow_text": shown}
    response = client.post(
        reverse("admin:callcenter_flowtemplate_change", args=[template.pk]), post
    )
    assert response.status_code == 302, form_errors(response)

    # a new topic from it: only in dialplan mode (a graph mode says so)
    topic.refresh_from_db()
    form = _form(topic, number="74950000002", flow_mode="custom", flow_template=template.pk)
    form.update(flow_text=flow_to_text(InboundTopic().standard_flow()), flow_dialplan="")
    form["non_working_schedules"] = []
    add = reverse("admin:callcenter_inboundtopic_add")
    with translation.override("en"):
        response = client.post(add, form)
    assert "choose Dialplan text" in form_errors(response)["flow_template"][0]
    response = client.post(add, {**form, "flow_mode": "dialplan"})
    assert response.status_code == 302, form_errors(response)
    assert InboundTopic.objects.get(number="74950000002").flow == dialplan_flow(TEXT)

    # clone: the add page comes filled with the text and its mode
    page = client.get(add + f"?clone={topic.pk}")
    initial = page.context["adminform"].form.initial
    assert (initial["flow_mode"], initial["flow_dialplan"]) == ("dialplan", TEXT)
