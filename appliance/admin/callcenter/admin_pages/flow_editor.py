"""The visual editor's page data: the flow to draw, what it may refer to, its labels in the
admin's language and the server's problems per node (callcenter/flow_editor/ is the JS)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..callflow.dialplan_text import is_dialplan_flow
from ..callflow.graph import NODE_KINDS
from ..callflow.text import TextError, text_to_flow
from ..models import Group, InboundTopic, Schedule, Sound, Workplace
from .flow_forms import InboundTopicForm


def editor_config(topic: InboundTopic | None, form: Any, readonly: bool) -> dict[str, Any]:
    return {
        "flow": _flow_to_draw(topic, form),
        "refs": {
            "sounds": list(Sound.objects.order_by("name").values_list("name", flat=True)),
            "groups": list(Group.objects.order_by("name").values_list("name", flat=True)),
            "schedules": list(Schedule.objects.order_by("name").values_list("name", flat=True)),
            "workplaces": list(
                Workplace.objects.order_by("number").values_list("number", flat=True)
            ),
        },
        "labels": labels(),
        "problems": _problems(form),
        "readonly": readonly,
    }


def _flow_to_draw(topic: InboundTopic | None, form: Any) -> dict[str, Any]:
    """The posted flow when the form came back with errors (the admin sees their own graph
    with the problems on it), else the topic's current one."""
    if isinstance(form, InboundTopicForm) and form.is_bound:
        try:
            posted = text_to_flow(str(form.data.get("flow_text", "")))
        except TextError:
            posted = None
        if isinstance(posted, dict) and isinstance(posted.get("nodes"), list):
            return posted
    if topic is not None and topic.pk:
        current = topic.current_flow()
        # a topic in dialplan text: the graph switching back would give (the form's too)
        return topic.standard_flow() if is_dialplan_flow(current) else current
    return InboundTopic().standard_flow()


def _problems(form: Any) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for problem in getattr(form, "flow_problems", []):
        result.setdefault(problem.node or "", []).append(problem.message)
    return result


def labels() -> dict[str, str]:
    kinds = {
        "start": _("Start"),
        "play": _("Play a sound"),
        "schedule": _("Working time?"),
        "menu": _("Menu"),
        "queue": _("Queue"),
        "transfer": _("Transfer"),
        "voicemail": _("Voicemail"),
        "set": _("Set caller ID / variable"),
        "hangup": _("Hang up"),
    }
    assert set(kinds) == set(NODE_KINDS)
    result = {f"kind.{k}": v for k, v in kinds.items()}
    result.update(
        {
            "out.next": _("next"),
            "out.open": _("working"),
            "out.closed": _("non-working"),
            "out.on_timeout": _("no answer"),
            "out.on_invalid": _("wrong digit"),
            "target.workplace": _("workplace"),
            "target.operator": _("operator (by agent number)"),
            "target.external": _("external number"),
            "field.id": _("Node id"),
            "field.label": _("Label"),
            "field.sound": _("Sound"),
            "field.schedules": _("Non-working time"),
            "field.prompt": _("Prompt"),
            "field.digits": _("Digits (e.g. 1 2 3)"),
            "field.timeout": _("Wait for a digit, s"),
            "field.retries": _("Attempts"),
            "field.group": _("Group"),
            "field.max_wait": _("Maximum wait, s"),
            "field.target": _("Transfer to"),
            "field.number": _("Number"),
            "field.ring": _("Ring, s"),
            "field.mailbox": _("Mailbox"),
            "field.greeting": _("Greeting"),
            "field.max_seconds": _("Maximum length, s"),
            "field.caller_id_prefix": _("Caller name prefix"),
            "field.variable": _("Variable"),
            "field.value": _("Value"),
            "field.answer": _("Answer before hanging up"),
            "undo": _("Undo"),
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
            "zoom_reset": _("Actual size"),
            "select": _(
                "Drag a node from the bar above (or click it), connect an output to an input, "
                "select a node to edit it. Save the topic to check and keep the flow."
            ),
            "readonly": _("Read only: you may view this flow but not change it."),
        }
    )
    return result
