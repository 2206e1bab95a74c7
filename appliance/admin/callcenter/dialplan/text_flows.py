"""Compile a topic's flow written as dialplan text (callflow/dialplan_text.py) into the body of
the topic's own context, ``uzor-flow-<topic id>``, which the topic's extension in ``Inbound``
enters at ``s,1`` after it has set the topic's variables. ``Dial(Local/<number>@uzor-routes)``
dials ``uzor-flow-dial``, which hands the number to the routes.

The text is checked again here (a flow stored around the admin's form still cannot inject
dialplan code); sound names become the unit's paths, ``VoiceMail`` and ``GotoIfClosed`` become
the same lines the graph's voicemail and schedule nodes compile to, and every jump is preceded
by the loop guard (a call that jumped too often is hung up).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..callflow.dialplan_text import ROUTES_CONTEXT, DialplanTextError, Step, check_dialplan
from . import escape as esc
from .flows import FlowContext, loop_guard, operator_transfer_lines, voicemail_lines
from .recording import queue_line
from .schedules import schedule_context

OPERATOR_RING = 30  # DialOperator's ring time when the text gives none (the graph's default)
DIAL_CONTEXT = "uzor-flow-dial"  # _callflows.j2: a Local channel's number out through the routes


def flow_context_name(topic_id: int) -> str:
    return f"uzor-flow-{int(topic_id)}"


def compile_text_flow(data: Any, ctx: FlowContext, what: str) -> list[str]:
    """The lines of the topic's context (``exten =>`` and `` same =>``), or RenderError naming
    the topic and the lines."""
    try:
        script = check_dialplan(data, ctx.refs)
    except DialplanTextError as exc:
        raise esc.RenderError(
            _("%(what)s: call flow: %(problems)s") % {"what": what, "problems": str(exc)}
        ) from exc
    result: list[str] = []
    whats = {"sound": _("sound name"), "group": _("group name"), "mailbox": _("mailbox")}
    for step in script.steps:
        body = _step(step, ctx, whats)
        for index, line in enumerate(body):
            label = f"({step.label})" if index == 0 and step.label else ""
            if index == 0 and step.starts:
                result.append(f"exten => {step.extension},1{label},{line}")
            else:
                result.append(f" same => n{label},{line}")
    return result


def _sounds(names: str, ctx: FlowContext, what: str) -> str:
    return "&".join(ctx.sound_paths[esc.name(n.strip(), what)] for n in names.split("&"))


def _call(app: str, args: list[str]) -> str:
    return f"{app}({','.join(args).rstrip(',')})"


def _step(step: Step, ctx: FlowContext, whats: dict[str, str]) -> list[str]:  # noqa: PLR0911 - one branch per application
    app, args = step.app, list(step.args)
    if app in ("Playback", "Background"):
        return [_call(app, [_sounds(args[0], ctx, whats["sound"]), *args[1:]])]
    if app == "Read":
        if args[1]:
            args[1] = _sounds(args[1], ctx, whats["sound"])
        return [_call(app, args)]
    if app == "Queue":  # checked: group, options, timeout (callflow/dialplan_text.py)
        args += [""] * (5 - len(args))
        return [queue_line(esc.name(args[0], whats["group"]), args[1], args[4])]
    if app == "VoiceMail":
        mailbox = esc.name(args[0], whats["mailbox"])
        greeting = [f"Playback({_sounds(args[1], ctx, whats['sound'])})"] if args[1] else []
        return ["Answer()", *greeting, *voicemail_lines(mailbox, int(args[2]))]
    if app == "Dial" and args[0].startswith("Local/"):  # the number arrives as the extension
        args[0] = args[0].replace(f"@{ROUTES_CONTEXT}", f"@{DIAL_CONTEXT}")
        return [_call(app, args)]
    if app == "DialOperator":
        ring = int(args[1]) if len(args) > 1 and args[1] else OPERATOR_RING
        return operator_transfer_lines(esc.digits(args[0], _("agent number")), ring)
    if app == "Set":
        return [f"Set({args[0]}={args[1]})"]
    if app in ("Goto", "GotoIf"):
        joined = args[0] if app == "Goto" else f"{args[0]}?{':'.join(args[1:])}"
        return [*loop_guard(), f"{app}({joined})"]
    if app == "GotoIfClosed":
        lines = loop_guard()
        for name in step.schedules:
            lines.append(f"Gosub({schedule_context(ctx.schedule_ids[name])},s,1)")
            lines.append(f"GotoIf($[${{GOSUB_RETVAL}} = 1]?{args[0]})")
        return lines
    return [_call(app, args)]
