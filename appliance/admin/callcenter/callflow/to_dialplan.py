"""A graph flow written out as dialplan text (the text mode's starting point when a topic is
switched from the visual editor to text): every node is a run of lines in the extension ``s``
labelled with the node's id, using only what the text mode allows."""

from __future__ import annotations

from .dialplan_text import ROUTES_CONTEXT
from .graph import (
    Flow,
    HangupNode,
    MenuNode,
    Node,
    PlayNode,
    QueueNode,
    ScheduleNode,
    SetNode,
    StartNode,
    TransferNode,
    VoicemailNode,
    outputs,
)

DIGIT_VARIABLE = "FLOW_DIGIT"
TRIES_VARIABLE = "FLOW_TRIES"


def graph_to_dialplan(flow: Flow) -> str:
    from ..dialplan.flows import _layout

    nodes = flow.by_id()
    start = next(n for n in flow.nodes if n.kind == "start")
    order = _layout(start.id, nodes)
    lines = [
        "; The topic's call flow as dialplan (converted from the visual editor's graph).",
        "; Calls enter at s,1. Sounds, groups, schedules and workplaces go by their names.",
    ]
    for index, node_id in enumerate(order):
        node = nodes[node_id]
        body = _node(node) or ["NoOp()"]
        following = order[index + 1] if index + 1 < len(order) else None
        primary = None if isinstance(node, MenuNode) else next(iter(outputs(node)), ("", None))[1]
        if primary and primary != following:
            body.append(f"Goto({primary})")
        if node.label:
            lines.append(f"; {node_id}: {' '.join(node.label.split())}")
        for at, item in enumerate(body):
            label, line = (f"({item[0]})", item[1]) if isinstance(item, tuple) else ("", item)
            if at == 0:
                label = f"({node_id})"
            prefix = "exten => s,1" if index == 0 and at == 0 else " same => n"
            lines.append(f"{prefix}{label},{line}")
    return "\n".join(lines) + "\n"


def _node(node: Node) -> list[str | tuple[str, str]]:  # noqa: PLR0911 - one branch per kind
    if isinstance(node, StartNode):
        return []
    if isinstance(node, PlayNode):
        return [f"Playback({node.sound})"]
    if isinstance(node, ScheduleNode):
        return [f"GotoIfClosed({'&'.join(node.schedules)}?{node.closed})"]
    if isinstance(node, MenuNode):
        return _menu(node)
    if isinstance(node, QueueNode):
        wait = f",,,{node.max_wait}" if node.max_wait else ""
        return [f"Queue({node.group},t{wait})"]
    if isinstance(node, TransferNode):
        if node.target == "workplace":
            return [f"Dial(PJSIP/{node.number},{node.ring})"]
        if node.target == "operator":
            return [f"DialOperator({node.number},{node.ring})"]
        return [f"Dial(Local/{node.number}@{ROUTES_CONTEXT})", "Hangup()"]
    if isinstance(node, VoicemailNode):
        return [f"VoiceMail({node.mailbox},{node.greeting or ''},{node.max_seconds})"]
    if isinstance(node, SetNode):
        lines: list[str | tuple[str, str]] = []
        if node.caller_id_prefix:
            lines.append(f"Set(CALLERID(name)={node.caller_id_prefix}${{CALLERID(name)}})")
        if node.variable:
            lines.append(f"Set(__{node.variable}={node.value})")
        return lines
    assert isinstance(node, HangupNode)
    return [*(["Answer()"] if node.answer else []), "Hangup()"]


def _menu(node: MenuNode) -> list[str | tuple[str, str]]:
    digit, tries = DIGIT_VARIABLE, TRIES_VARIABLE
    ask, silent = f"{node.id}__ask", f"{node.id}__none"
    lines: list[str | tuple[str, str]] = [
        f"Set({tries}=0)",
        (ask, f"Set({tries}=$[${{{tries}}} + 1])"),
        f"Read({digit},{node.prompt},1,,1,{node.timeout})",
    ]
    for choice in node.choices:
        lines.append(f'GotoIf($["${{{digit}}}" = "{choice.digit}"]?{choice.next})')
    lines += [
        f'GotoIf($["${{{digit}}}" = ""]?{silent})',
        f"GotoIf($[${{{tries}}} < {node.retries}]?{ask})",
        f"Goto({node.on_invalid})",
        (silent, f"GotoIf($[${{{tries}}} < {node.retries}]?{ask})"),
        f"Goto({node.on_timeout})",
    ]
    return lines
