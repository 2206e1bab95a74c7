"""Topics' call flows in the rendered dialplan and on the model (real MariaDB, no Asterisk)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from appliance.admin.callcenter.dialplan import RenderError, load_snapshot
from appliance.admin.callcenter.dialplan.render import render_unit
from appliance.admin.callcenter.models import InboundTopic

from .model import build_model
from .test_render import _sections

pytestmark = pytest.mark.usefixtures("admin_db")

MENU_FLOW = {
    "version": 1,
    "nodes": [
        {"id": "start", "kind": "start", "next": "main"},
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
        {"id": "sales", "kind": "queue", "group": "sales", "max_wait": 30, "next": "vm"},
        {"id": "vm", "kind": "voicemail", "mailbox": "office"},
        {"id": "bye", "kind": "hangup"},
    ],
}


def test_a_new_topic_gets_the_standard_flow_which_follows_its_fields(tmp_path):
    model = build_model(tmp_path)
    topic = InboundTopic.objects.get(pk=model.topic.pk)
    assert topic.flow["standard"] is True
    current = topic.current_flow()  # the schedules were set after the first save
    schedule = next(n for n in current["nodes"] if n["kind"] == "schedule")
    assert schedule["schedules"] == ["night"]
    assert [n["id"] for n in current["nodes"]] == [
        "start",
        "schedule",
        "greeting",
        "queue",
        "hangup",
        "closed",
        "closed_hangup",
    ]


def test_an_edited_flow_replaces_the_standard_path_in_the_topics_extension(tmp_path):
    model = build_model(tmp_path)
    model.topic.flow = MENU_FLOW
    model.topic.save()
    snapshot = load_snapshot()
    (inbound,) = _sections(render_unit(snapshot, "u", 1)["extensions.conf"], "Inbound")
    lines = inbound.splitlines()
    header = f"exten => 74950000001,1,Set(__UZOR_TOPIC={model.topic.pk}) ; Sales line"
    at = lines.index(header)
    assert "Gosub(uzor-schedule" not in inbound  # the topic's own schedules no longer apply
    greeting = snapshot.sounds["greeting"].ref
    assert lines[at + 4].startswith("same => n,UserEvent(UzorCall,Stage: offered,")
    assert lines[at + 5 : at + 9] == [
        "same => n,Answer()",
        "same => n,Set(UZOR_TRIES=0)",
        "same => n(main__ask),Set(UZOR_TRIES=$[${UZOR_TRIES} + 1])",
        f"same => n,Read(UZOR_DIGIT,@UZOR_SOUNDS_DIR@/{greeting},1,,1,3)",
    ]
    assert "same => n(sales),Queue(sales,t,,,30,,uzor-record-member)" in lines
    assert "same => n(bye),Hangup()" in lines


@translation.override("en")
def test_the_model_refuses_an_invalid_flow_naming_the_node(tmp_path):
    model = build_model(tmp_path)
    model.topic.flow = {**MENU_FLOW, "nodes": [*MENU_FLOW["nodes"][:2], MENU_FLOW["nodes"][3]]}
    with pytest.raises(ValidationError) as caught:
        model.topic.save()
    assert caught.value.messages == [
        "call flow: main: output digit 1 leads to a node that does not exist: sales",
        "call flow: main: output timeout leads to a node that does not exist: bye",
        "call flow: main: output invalid leads to a node that does not exist: bye",
    ]


@translation.override("en")
def test_a_flow_stored_around_the_model_is_checked_again_at_render(tmp_path):
    model = build_model(tmp_path)
    evil = {**MENU_FLOW, "nodes": [dict(n) for n in MENU_FLOW["nodes"]]}
    evil["nodes"][3]["mailbox"] = "x)\nexten => _X.,1,System(id)"
    InboundTopic.objects.filter(pk=model.topic.pk).update(flow=evil)
    with pytest.raises(RenderError, match=r"inbound topic 74950000001: call flow: vm: mailbox"):
        render_unit(load_snapshot(), "u", 1)
    # a sound deleted after the flow was saved is named too
    InboundTopic.objects.filter(pk=model.topic.pk).update(
        flow={
            **MENU_FLOW,
            "nodes": [
                {**n, "prompt": "gone"} if n["id"] == "main" else n for n in MENU_FLOW["nodes"]
            ],
        }
    )
    with pytest.raises(RenderError, match="main: there is no sound named gone"):
        render_unit(load_snapshot(), "u", 1)


def test_the_migration_gives_existing_topics_their_standard_flow(tmp_path):
    model = build_model(tmp_path)
    InboundTopic.objects.filter(pk=model.topic.pk).update(flow=None)
    migration = importlib.import_module(
        "appliance.admin.callcenter.migrations.0006_inbound_standard_flow"
    )
    migration.fill_standard_flows(apps, None)
    topic = InboundTopic.objects.get(pk=model.topic.pk)
    assert topic.flow == topic.standard_flow()
    assert topic.flow["standard"] is True
    before = render_unit(load_snapshot(), "u", 1)["extensions.conf"]
    migration.clear_standard_flows(apps, None)
    assert InboundTopic.objects.get(pk=model.topic.pk).flow is None
    assert render_unit(load_snapshot(), "u", 1)["extensions.conf"] == before


def test_flows_are_compiled_once_until_what_they_refer_to_changes(tmp_path, monkeypatch):
    from appliance.admin.callcenter.dialplan import render

    model = build_model(tmp_path)
    model.topic.flow = MENU_FLOW
    model.topic.save()
    calls = []
    real = render.compile_flow
    monkeypatch.setattr(render, "compile_flow", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(render, "COMPILED", render.CompiledFlows())
    first = render_unit(load_snapshot(), "u", 1)["extensions.conf"]
    assert render_unit(load_snapshot(), "u", 2)["extensions.conf"].replace("2", "1") == (
        first.replace("2", "1")
    )
    assert len(calls) == 1  # the second Apply reused it
    model.sales.name = "sales2"
    model.sales.save()
    InboundTopic.objects.filter(pk=model.topic.pk).update(
        flow={
            **MENU_FLOW,
            "nodes": [
                {**n, "group": "sales2"} if n["id"] == "sales" else n for n in MENU_FLOW["nodes"]
            ],
        }
    )
    conf = render_unit(load_snapshot(), "u", 3)["extensions.conf"]
    assert "Queue(sales2,t,,,30,,uzor-record-member)" in conf
    assert len(calls) == 2
