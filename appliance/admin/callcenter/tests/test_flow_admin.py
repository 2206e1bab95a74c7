"""Call flows in the admin: the text mode with per-node errors, explicit mode switches,
templates and cloning, read-only for viewers, voicemail pages (real MariaDB)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from appliance.admin.callcenter.callflow.text import flow_to_text
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import FlowTemplate, InboundTopic

from .admin_client import form_errors

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]

MENU_TEXT = """\
version: 1
nodes:
- id: start
  kind: start
  next: main
- id: main
  kind: menu
  prompt: greeting
  choices:
  - digit: '1'
    next: sales
  on_timeout: bye
  on_invalid: bye
- id: sales
  kind: queue
  group: sales
  next: bye
- id: bye
  kind: hangup
"""


@pytest.fixture
def root():
    return User.objects.create_superuser("root", "root@example.com", "root-pass-123")


@pytest.fixture
def client(root):
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def model(tmp_path):
    return build_model(tmp_path)


def _form(topic: InboundTopic, **changes: Any) -> dict[str, Any]:
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
        "flow_mode": "standard" if topic.flow_is_standard else "custom",
        "flow_text": flow_to_text(topic.current_flow()),
    }
    data.update(changes)
    return data


def _change(topic: InboundTopic) -> str:
    return reverse("admin:callcenter_inboundtopic_change", args=[topic.pk])


def test_a_custom_flow_saved_in_text_mode_is_stored_and_in_the_history(client, model):
    topic = model.topic
    response = client.post(_change(topic), _form(topic, flow_mode="custom", flow_text=MENU_TEXT))
    assert response.status_code == 302, form_errors(response)
    topic.refresh_from_db()
    assert topic.flow["standard"] is False
    assert [n["id"] for n in topic.flow["nodes"]] == ["start", "main", "sales", "bye"]
    assert topic.history.first().flow == topic.flow
    page = client.get(_change(topic)).content.decode()
    assert "prompt: greeting" in page and 'value="custom"' in page


@translation.override("en")
def test_text_mode_errors_name_the_line_and_the_node(client, model):
    topic = model.topic
    bad = MENU_TEXT.replace("  on_timeout: bye\n", "").replace("group: sales", "group: ghosts")
    response = client.post(_change(topic), _form(topic, flow_mode="custom", flow_text=bad))
    assert response.status_code == 200
    assert form_errors(response)["flow_text"] == [
        "line 6, node main: output timeout is not connected",
        "line 13, node sales: there is no group named ghosts",
    ]
    response = client.post(
        _change(topic), _form(topic, flow_mode="custom", flow_text="nodes: [\n- id: x\n")
    )
    (error,) = form_errors(response)["flow_text"]
    assert error.startswith("line 2: not valid YAML or JSON")
    assert InboundTopic.objects.get(pk=topic.pk).flow_is_standard


@translation.override("en")
def test_edits_are_never_dropped_silently_by_the_standard_mode(client, model):
    topic = model.topic
    response = client.post(_change(topic), _form(topic, flow_text=MENU_TEXT))  # still standard
    assert "choose Custom" in form_errors(response)["flow_mode"][0]
    # switching an unedited custom flow back to standard is explicit and allowed
    client.post(_change(topic), _form(topic, flow_mode="custom", flow_text=MENU_TEXT))
    topic.refresh_from_db()
    response = client.post(_change(topic), _form(topic, flow_mode="standard"))
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.flow_is_standard
    assert topic.flow == topic.standard_flow()


def test_save_as_template_create_from_it_and_clone(client, model):
    topic = model.topic
    data = _form(topic, flow_mode="custom", flow_text=MENU_TEXT, save_as_template="IVR sales")
    assert client.post(_change(topic), data).status_code == 302
    template = FlowTemplate.objects.get(name="IVR sales")
    assert [n["id"] for n in template.flow["nodes"]] == ["start", "main", "sales", "bye"]

    # a new topic from the template
    form = _form(topic, number="74950000002", flow_mode="custom", flow_template=template.pk)
    form["flow_text"] = flow_to_text(InboundTopic().standard_flow())
    form["non_working_schedules"] = []
    response = client.post(reverse("admin:callcenter_inboundtopic_add"), form)
    assert response.status_code == 302, form_errors(response)
    created = InboundTopic.objects.get(number="74950000002")
    assert created.flow["nodes"] == template.flow["nodes"]

    # clone: the add page is filled from the topic, flow included
    page = client.get(reverse("admin:callcenter_inboundtopic_add") + f"?clone={topic.pk}")
    form = page.context["adminform"].form
    assert form.initial["description"] == topic.description
    assert yaml.safe_load(form.initial["flow_text"])["nodes"] == yaml.safe_load(MENU_TEXT)["nodes"]
    assert form.initial["flow_mode"] == "custom"
    clone_url = reverse("admin:callcenter_inboundtopic_add") + f"?clone={topic.pk}"
    assert clone_url in client.get(_change(topic)).content.decode()


def test_viewers_see_the_flow_read_only(model):
    viewer = User.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_inboundtopic"))
    client = Client()
    client.force_login(viewer)
    page = client.get(_change(model.topic)).content.decode()
    assert "flow_text" not in page
    assert "kind: queue" in page


@translation.override("en")
def test_a_template_with_a_bad_flow_is_refused(client, model):
    response = client.post(
        reverse("admin:callcenter_flowtemplate_add"),
        {"name": "broken", "description": "", "flow_text": MENU_TEXT.replace("  next: bye\n", "")},
    )
    assert form_errors(response)["flow_text"] == [
        "line 14, node sales: output next is not connected"
    ]
    response = client.post(
        reverse("admin:callcenter_flowtemplate_add"),
        {"name": "menu", "description": "", "flow_text": MENU_TEXT},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:callcenter_flowtemplate_changelist")).status_code == 200
