"""Compile a topic's call flow into the priorities of its extension in the Inbound context.

Each node becomes a run of priorities that starts with the node's id as its label when another
node jumps to it; a node falls through to its first output when that one is laid out right after
it, otherwise it jumps with ``Goto(<label>)``. Staying in one extension keeps the channel's
context and extension the topic's own (the agency and the call history see the topic number).

Every value is checked again here (escape.py and the flow's own checks) before it is written:
a flow stored around the admin's validation still cannot inject dialplan code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from appliance.contracts.agency_dialplan import operator_location
from appliance.contracts.bundle import VOICEMAIL_PLACEHOLDER

from ..callflow.graph import (
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
from ..callflow.validate import FlowError, Refs, check_flow
from . import escape as esc
from .recording import queue_line
from .schedules import schedule_context

# Kinds after which the channel is answered; kinds that leave the answer state as it was.
ANSWERING = ("play", "menu", "queue", "voicemail")
PASSING = ("start", "schedule", "set", "transfer")
QUEUE_OPTIONS = "t"
MAX_LOOP_STEPS = 100  # node visits inside loops before the call is hung up (a silent caller)
DIALABLE_CHARACTERS = "0-9*#+"
VOICEMAIL_DIR = VOICEMAIL_PLACEHOLDER  # uzor-confgen's cache_dir/voicemail on the unit
VOICEMAIL_UPLOAD = "uzor-voicemail-upload"  # hangup handler: uzor-confgen sends the message


@dataclass(frozen=True)
class FlowContext:
    """What the compiler resolves a flow's references with (from the snapshot)."""

    refs: Refs
    sound_paths: dict[str, str]  # sound name -> path on the unit
    schedule_ids: dict[str, int]  # schedule name -> id


def compile_flow(data: Any, ctx: FlowContext, what: str) -> list[str]:
    """The ``same =>`` lines (without that prefix) of the flow, after the topic's own header.
    Raises RenderError naming the topic and the node when the flow is invalid."""
    try:
        flow = check_flow(data, ctx.refs)
    except FlowError as exc:
        raise esc.RenderError(
            _("%(what)s: call flow: %(problems)s") % {"what": what, "problems": str(exc)}
        ) from exc
    return _Compiler(flow, ctx).lines()


class _Compiler:
    def __init__(self, flow: Flow, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.node_what = _("call-flow node")  # translated once, not per line
        self.sound_what = _("sound name")
        self.nodes = flow.by_id()
        self.outs = {n: outputs(node) for n, node in self.nodes.items()}
        start = next(n for n in flow.nodes if n.kind == "start")
        self.order = _layout(start.id, self.nodes)
        self.position = {n: i for i, n in enumerate(self.order)}
        self.falls_into = {}  # node -> the node it falls through to
        for node_id in self.order:
            primary = _primary(self.nodes[node_id])
            at = self.position[node_id]
            if primary and at + 1 < len(self.order) and self.order[at + 1] == primary:
                self.falls_into[node_id] = primary
        self.jump_targets: set[str] = set()
        for node_id in self.order:
            for index, (_name, target) in enumerate(self.outs[node_id]):
                falls = index == 0 and self.falls_into.get(node_id) == target
                if target and not falls:
                    self.jump_targets.add(target)
        loops = flow._loops
        if loops is None:
            self.in_loop = _nodes_in_loops(self.nodes, set(self.order))
        else:
            self.in_loop = {n for component in loops for n in component}
        self.answered_before = self._answered_before()

    def _answered_before(self) -> set[str]:
        """Nodes every path into which has answered the channel already (a fixpoint from
        "all answered" down; the start is not answered)."""
        preds: dict[str, list[str]] = {n: [] for n in self.order}
        for node_id in self.order:
            for _name, target in self.outs[node_id]:
                if target:
                    preds[target].append(node_id)
        before = {n for n in self.order if self.nodes[n].kind != "start"}
        changed = True
        while changed:
            changed = False
            for node_id in list(before):
                if not all(self._answers(p, before) for p in preds[node_id]):
                    before.discard(node_id)
                    changed = True
        return before

    def _answers(self, node_id: str, before: set[str]) -> bool:
        kind = self.nodes[node_id].kind
        return kind in ANSWERING or (kind in PASSING and node_id in before)

    def lines(self) -> list[str]:
        result: list[str] = []
        for node_id in self.order:
            node = self.nodes[node_id]
            body: list[str | tuple[str, str]] = list(self._node(node))
            if node_id in self.in_loop:
                body = [*loop_guard(), *body]
            if not body and node_id in self.jump_targets:
                body = ["NoOp()"]
            primary = _primary(node)
            if primary and self.falls_into.get(node_id) != primary:
                body.append(self._goto(primary))
            for i, item in enumerate(body):
                label, line = item if isinstance(item, tuple) else ("", item)
                if i == 0 and node_id in self.jump_targets:
                    label = node_id
                result.append(_priority(line, label))
        return result

    def _answer(self, node: Node) -> list[str]:
        return [] if node.id in self.answered_before else ["Answer()"]

    def _sound(self, name: str) -> str:
        esc.name(name, self.sound_what)
        return self.ctx.sound_paths[name]

    def _goto(self, target: str) -> str:
        return f"Goto({esc.name(target, self.node_what)})"

    def _node(self, node: Node) -> Sequence[str | tuple[str, str]]:  # noqa: PLR0911 - one branch per kind
        if isinstance(node, StartNode):
            return []
        if isinstance(node, PlayNode):
            return [*self._answer(node), f"Playback({self._sound(node.sound)})"]
        if isinstance(node, ScheduleNode):
            return self._schedule(node)
        if isinstance(node, MenuNode):
            return self._menu(node)
        if isinstance(node, QueueNode):
            queue = esc.name(node.group, _("group name"))
            wait = str(node.max_wait) if node.max_wait else ""
            return [*self._answer(node), queue_line(queue, QUEUE_OPTIONS, wait)]
        if isinstance(node, TransferNode):
            return self._transfer(node)
        if isinstance(node, VoicemailNode):
            return self._voicemail(node)
        if isinstance(node, SetNode):
            return self._set(node)
        assert isinstance(node, HangupNode)
        return [*(["Answer()"] if node.answer else []), "Hangup()"]

    def _schedule(self, node: ScheduleNode) -> list[str]:
        assert node.closed is not None
        closed = esc.name(node.closed, self.node_what)
        lines = []
        for name in node.schedules:
            lines.append(f"Gosub({schedule_context(self.ctx.schedule_ids[name])},s,1)")
            lines.append(f"GotoIf($[${{GOSUB_RETVAL}} = 1]?{closed})")
        return lines

    def _menu(self, node: MenuNode) -> list[str | tuple[str, str]]:
        ask, silent = f"{node.id}__ask", f"{node.id}__none"
        lines: list[str | tuple[str, str]] = [
            *self._answer(node),
            "Set(UZOR_TRIES=0)",
            _labelled(ask, "Set(UZOR_TRIES=$[${UZOR_TRIES} + 1])"),
            f"Read(UZOR_DIGIT,{self._sound(node.prompt)},1,,1,{node.timeout})",
        ]
        for choice in node.choices:
            assert choice.next is not None
            target = esc.name(choice.next, self.node_what)
            lines.append(f'GotoIf($["${{UZOR_DIGIT}}" = "{choice.digit}"]?{target})')
        assert node.on_invalid is not None and node.on_timeout is not None
        lines += [
            f'GotoIf($["${{UZOR_DIGIT}}" = ""]?{silent})',
            f"GotoIf($[${{UZOR_TRIES}} < {node.retries}]?{ask})",
            self._goto(node.on_invalid),
            _labelled(silent, f"GotoIf($[${{UZOR_TRIES}} < {node.retries}]?{ask})"),
            self._goto(node.on_timeout),
        ]
        return lines

    def _transfer(self, node: TransferNode) -> list[str]:
        what = _("call-flow node %(id)s") % {"id": node.id}
        if node.target == "workplace":
            number = esc.digits(node.number, what)
            return [f"Dial(PJSIP/{number},{node.ring})"]
        if node.target == "operator":
            return operator_transfer_lines(esc.digits(node.number, what), node.ring)
        number = esc.dialable(node.number, what)
        return [
            f"Set(UZOR_NUMBER=${{FILTER({DIALABLE_CHARACTERS},{number})}})",
            "Goto(uzor-routes,s,1)",
        ]

    def _voicemail(self, node: VoicemailNode) -> list[str]:
        mailbox = esc.name(node.mailbox, _("mailbox"))
        lines = self._answer(node)
        if node.greeting:
            lines.append(f"Playback({self._sound(node.greeting)})")
        return lines + voicemail_lines(mailbox, node.max_seconds)

    def _set(self, node: SetNode) -> list[str]:
        lines = []
        if node.caller_id_prefix:
            prefix = _safe_text(node.caller_id_prefix, node.id)
            lines.append(f"Set(CALLERID(name)={prefix}${{CALLERID(name)}})")
        if node.variable:
            lines.append(f"Set(__{node.variable}={_safe_text(node.value, node.id)})")
        return lines


def operator_transfer_lines(agent: str, ring: int) -> list[str]:
    """Ring the workplace the agency published for the (checked) agent number on this unit
    (AstDB, see ``appliance.contracts.agency_dialplan``); straight on when the operator is not
    logged in here. Only the key's digits reach the Dial string."""
    return [
        f"Set(UZOR_OPERATOR_AT=${{FILTER(0-9,${{GLOBAL({operator_location(agent)})}})}})",
        f'ExecIf($["${{UZOR_OPERATOR_AT}}" != ""]?Dial(PJSIP/${{UZOR_OPERATOR_AT}},{int(ring)}))',
    ]


def voicemail_lines(mailbox: str, max_seconds: int) -> list[str]:
    """Record a message for the (escaped) mailbox; uploaded to the admin when the call ends."""
    # The caller's number comes from the carrier: only its digits reach the file name.
    name = "${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${FILTER(0-9,${CALLERID(num)})}-${UNIQUEID}"
    return [
        f"Set(UZOR_VOICEMAIL={VOICEMAIL_DIR}/{mailbox}/{name})",
        f"Set(CHANNEL(hangup_handler_push)={VOICEMAIL_UPLOAD},s,1)",
        f"Record(${{UZOR_VOICEMAIL}}.wav,5,{max_seconds},k)",
        "Hangup()",
    ]


def loop_guard() -> list[str]:
    """Hang up a call that has jumped more than MAX_LOOP_STEPS times (a silent caller)."""
    return [
        "Set(UZOR_STEPS=$[0${UZOR_STEPS} + 1])",
        f"ExecIf($[${{UZOR_STEPS}} > {MAX_LOOP_STEPS}]?Hangup())",
    ]


def _safe_text(value: str, node_id: str) -> str:
    if not re.fullmatch(r"[\w .:/@+=-]{0,64}", value):
        raise esc.RenderError(
            _("call-flow node %(id)s: %(value)r holds characters a dialplan value cannot carry")
            % {"id": node_id, "value": value}
        )
    return value


def _priority(line: str, label: str) -> str:
    return f"n({label}),{line}" if label else f"n,{line}"


def _labelled(label: str, line: str) -> tuple[str, str]:
    """A line of a node's body that carries its own label (the first line's is added later)."""
    return (label, line)


def _primary(node: Node) -> str | None:
    """The output the node falls through to when its target is laid out right after it."""
    if isinstance(node, MenuNode):
        return None  # a menu always ends with explicit jumps
    found = outputs(node)
    return found[0][1] if found else None


def _layout(start: str, nodes: dict[str, Node]) -> list[str]:
    """Node order: chains of first outputs, the other branches after them, breadth first."""
    order: list[str] = []
    seen: set[str] = set()
    pending = [start]
    while pending:
        current: str | None = pending.pop(0)
        while current is not None and current not in seen:
            seen.add(current)
            order.append(current)
            node = nodes[current]
            primary = _primary(node)
            pending.extend(t for _n, t in outputs(node) if t and t != primary)
            current = primary
    return order


def _nodes_in_loops(nodes: dict[str, Node], among: set[str]) -> set[str]:
    from ..callflow.validate import strongly_connected, successor_map

    loops = strongly_connected(successor_map(nodes), among)
    return {n for component in loops for n in component}
