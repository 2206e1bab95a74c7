"""Server-side checks of a call flow; every problem is tied to a node (or to the whole flow).

Never trusts the editor: the JSON is parsed by the pydantic model, then checked against the
admin's sounds, groups, schedules and workplaces: every output connected to an existing node,
every node reachable from the start, no digit used twice in a menu, and no loop without an exit
(every node must be able to reach the end of the call, and every loop must wait for the caller
or an operator: it passes through a menu or a queue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from .graph import (
    AGENT_NUMBER,
    Flow,
    MenuNode,
    Node,
    PlayNode,
    QueueNode,
    ScheduleNode,
    SetNode,
    TransferNode,
    VoicemailNode,
    outputs,
)


@dataclass(frozen=True)
class Problem:
    node: str | None  # the node id, None for the flow as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.node}: {self.message}" if self.node else self.message


@dataclass
class Refs:
    """What a flow may refer to, by name (numbers for workplaces)."""

    sounds: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    schedules: set[str] = field(default_factory=set)
    workplaces: set[str] = field(default_factory=set)

    @classmethod
    def from_db(cls) -> Refs:
        from ..models import Group, Schedule, Sound, Workplace

        return cls(
            sounds=set(Sound.objects.values_list("name", flat=True)),
            groups=set(Group.objects.values_list("name", flat=True)),
            schedules=set(Schedule.objects.values_list("name", flat=True)),
            workplaces=set(Workplace.objects.values_list("number", flat=True)),
        )


def flow_problem(problem: Problem) -> str:
    return _("call flow: %(problem)s") % {"problem": str(problem)}


class FlowError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def check_flow(data: Any, refs: Refs) -> Flow:
    """The parsed flow, or FlowError listing every problem found."""
    flow, problems = parse_flow(data)
    if flow is not None:
        problems = check_graph(flow, refs)
    if problems:
        raise FlowError(problems)
    assert flow is not None
    return flow


def parse_flow(data: Any) -> tuple[Flow | None, list[Problem]]:
    try:
        return Flow.model_validate(data), []
    except ValidationError as exc:
        return None, [_shape_problem(data, error) for error in exc.errors()]


def _shape_problem(data: Any, error: Any) -> Problem:
    loc = list(error["loc"])
    node = None
    if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
        raw = data.get("nodes", [])[loc[1]] if isinstance(data, dict) else None
        node = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{loc[1] + 1}"
        loc = loc[2:]
        if loc and isinstance(loc[0], str) and loc[0] in _KINDS_IN_LOC:
            loc = loc[1:]  # the discriminator's tag
    where = ".".join(str(part) for part in loc)
    text = _shape_message(error)
    return Problem(node, f"{where}: {text}" if where else text)


def _shape_message(error: Any) -> str:
    """Pydantic's message in the admin's language (its own text for the rare kinds)."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    messages = {
        "missing": _("required"),
        "extra_forbidden": _("unknown field"),
        "string_pattern_mismatch": _("not an allowed value (see the call-flow documentation)"),
        "string_too_long": _("too long"),
        "too_short": _("too few entries"),
        "too_long": _("too many entries"),
        "int_parsing": _("not a whole number"),
        "int_type": _("not a whole number"),
        "float_parsing": _("not a number"),
        "bool_parsing": _("not true or false"),
        "string_type": _("not a text"),
        "list_type": _("not a list"),
        "dict_type": _("not a mapping"),
        "model_type": _("not a mapping"),
        "model_attributes_type": _("not a mapping"),
        "union_tag_invalid": _("unknown node kind %(tag)s") % {"tag": ctx.get("tag", "")},
        "union_tag_not_found": _("the node kind is missing"),
        "literal_error": _("must be one of %(expected)s") % {"expected": ctx.get("expected", "")},
        "greater_than_equal": _("must be at least %(limit)s") % {"limit": ctx.get("ge", "")},
        "less_than_equal": _("must be at most %(limit)s") % {"limit": ctx.get("le", "")},
        "value_error": _("UZOR_* variables belong to the appliance"),
    }
    return str(messages.get(kind, error["msg"]))


_KINDS_IN_LOC = {
    "start",
    "play",
    "schedule",
    "menu",
    "queue",
    "transfer",
    "voicemail",
    "set",
    "hangup",
}


def check_graph(flow: Flow, refs: Refs) -> list[Problem]:
    problems: list[Problem] = []
    nodes: dict[str, Node] = {}
    for node in flow.nodes:
        if node.id in nodes:
            problems.append(Problem(node.id, _("the id is used by another node")))
        nodes[node.id] = node
    starts = [n.id for n in flow.nodes if n.kind == "start"]
    if len(starts) != 1:
        problems.append(Problem(None, _("a flow needs exactly one start node")))
        return problems
    for node in flow.nodes:
        problems.extend(Problem(node.id, m) for m in _node_problems(node, nodes, refs))
    connected_ok = not problems
    succ = successor_map(nodes)
    reachable = _reachable(starts[0], succ)
    problems.extend(
        Problem(n.id, _("no path from the start leads to this node"))
        for n in flow.nodes
        if n.id not in reachable
    )
    if connected_ok:  # loops are judged once every output leads somewhere
        loops = strongly_connected(succ, reachable)
        flow._loops = loops  # the compiler guards these (no second search)
        problems.extend(_loop_problems(nodes, succ, reachable, loops))
    return problems


def _node_problems(node: Node, nodes: dict[str, Node], refs: Refs) -> Iterable[str]:
    for name, target in outputs(node):
        if target is None:
            yield _("output %(output)s is not connected") % {"output": name}
        elif target not in nodes:
            yield _("output %(output)s leads to a node that does not exist: %(target)s") % {
                "output": name,
                "target": target,
            }
        elif nodes[target].kind == "start":
            yield _("output %(output)s leads back to the start node") % {"output": name}
    if isinstance(node, TransferNode) and node.target == "external" and node.next:
        yield _("a transfer to an external number ends the flow: remove its next node")
    if (
        isinstance(node, TransferNode)
        and node.target == "operator"
        and not re.fullmatch(AGENT_NUMBER, node.number)
    ):
        yield _("an operator's agent number is 3 to 16 digits")
    if isinstance(node, MenuNode):
        digits = [c.digit for c in node.choices]
        for digit in sorted({d for d in digits if digits.count(d) > 1}):
            yield _("digit %(digit)s is used twice") % {"digit": digit}
    if isinstance(node, SetNode) and not node.caller_id_prefix and not node.variable:
        yield _("set a caller-ID name prefix or a variable")
    if isinstance(node, SetNode) and node.value and not node.variable:
        yield _("a value needs a variable name")
    yield from _reference_problems(node, refs)


def _reference_problems(node: Node, refs: Refs) -> Iterable[str]:
    sounds: list[str | None] = []
    if isinstance(node, PlayNode):
        sounds = [node.sound]
    elif isinstance(node, MenuNode):
        sounds = [node.prompt]
    elif isinstance(node, VoicemailNode):
        sounds = [node.greeting]
    for sound in sounds:
        if sound and sound not in refs.sounds:
            yield _("there is no sound named %(name)s") % {"name": sound}
    if isinstance(node, QueueNode) and node.group not in refs.groups:
        yield _("there is no group named %(name)s") % {"name": node.group}
    if isinstance(node, ScheduleNode):
        for schedule in node.schedules:
            if schedule not in refs.schedules:
                yield _("there is no schedule named %(name)s") % {"name": schedule}
    if (
        isinstance(node, TransferNode)
        and node.target == "workplace"
        and node.number not in refs.workplaces
    ):
        yield _("there is no workplace numbered %(number)s") % {"number": node.number}


def successors(node: Node) -> list[str]:
    return [t for _name, t in outputs(node) if t]


def successor_map(nodes: dict[str, Node]) -> dict[str, list[str]]:
    """Each node's existing targets (computed once: the checks walk them often)."""
    return {n: [t for t in successors(node) if t in nodes] for n, node in nodes.items()}


def _reachable(start: str, succ: dict[str, list[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in succ[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _loop_problems(
    nodes: dict[str, Node],
    succ: dict[str, list[str]],
    reachable: set[str],
    loops: list[set[str]],
) -> list[Problem]:
    problems = []
    ends = {n for n in reachable if not succ[n]}
    # Nodes that can reach an end: backwards from the ends.
    predecessors: dict[str, set[str]] = {n: set() for n in reachable}
    for n in reachable:
        for target in succ[n]:
            predecessors[target].add(n)
    can_end, todo = set(ends), list(ends)
    while todo:
        for pred in predecessors[todo.pop()]:
            if pred not in can_end:
                can_end.add(pred)
                todo.append(pred)
    for component in loops:
        # (a node outside loops that cannot end leads into one of these: named there)
        for n in sorted(component - can_end):
            problems.append(Problem(n, _("this node is in a loop with no exit")))
    for component in loops:
        if not any(nodes[n].kind in ("menu", "queue") for n in component):
            for n in sorted(component):
                if n in can_end:
                    problems.append(
                        Problem(n, _("this loop never waits for the caller: add a menu or a queue"))
                    )
    return problems


def strongly_connected(succ: dict[str, list[str]], among: set[str]) -> list[set[str]]:
    """The loops: strongly connected components with more than one node or a self-edge
    (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []
    counter = 0
    for root in sorted(among):
        if root in index:
            continue
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(succ[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in succ[node]:
                    result.append(component)
    return result
