"""The call-flow graph of an inbound topic: a versioned pydantic model.

A flow is a list of nodes; each node has an id (a short Latin name, also the dialplan label it
compiles to) and named outputs that hold the id of the next node. Sounds, groups, schedules and
workplaces are referenced by their names/numbers in the admin, so a flow can be copied between
topics (templates, cloning) and still reads well as JSON or YAML.

Only shapes are checked here; references, connections, reachability and loops are checked by
``validate.py`` with the admin's data at hand.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

FLOW_VERSION = 1
MAX_NODES = 200
DIGITS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*")

# A node id is a priority label in the topic's extension: Latin, starting with a letter, and
# without "__" (the compiler's own labels use it).
NodeId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$", max_length=40)
]
Target = NodeId | None
LatinName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")]
Digits = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,32}$")]
AGENT_NUMBER = r"^[0-9]{3,16}$"  # an operator's agent number, as a transfer's target
Dialable = Annotated[str, StringConstraints(pattern=r"^\+?[0-9*#]{1,32}$")]
# Caller-ID name prefix and variable values: letters of any script, digits, space and a few
# marks; nothing with a meaning to the dialplan ($ { } [ ] ( ) , ; " \ | &).
SafeText = Annotated[str, StringConstraints(pattern=r"^[\w .:/@+=-]{0,64}$")]


def _not_reserved(value: str) -> str:
    if value.startswith("UZOR_"):
        raise ValueError("UZOR_* variables belong to the appliance")
    return value


# UZOR_* belong to the appliance (topic, script URL, ...)
VariableName = Annotated[
    str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,31}$"), AfterValidator(_not_reserved)
]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: NodeId
    label: Annotated[str, StringConstraints(max_length=80)] = ""
    x: float = 0
    y: float = 0


class StartNode(_Node):
    kind: Literal["start"] = "start"
    next: Target = None


class PlayNode(_Node):
    kind: Literal["play"] = "play"
    sound: LatinName
    next: Target = None


class ScheduleNode(_Node):
    """Working / non-working time by the admin's schedules (non-working when any matches)."""

    kind: Literal["schedule"] = "schedule"
    schedules: Annotated[list[str], Field(min_length=1, max_length=20)]
    open: Target = None
    closed: Target = None


class MenuChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digit: Literal["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*"]
    next: Target = None


class MenuNode(_Node):
    kind: Literal["menu"] = "menu"
    prompt: LatinName
    choices: Annotated[list[MenuChoice], Field(min_length=1, max_length=11)]
    timeout: Annotated[int, Field(ge=1, le=60)] = 5
    retries: Annotated[int, Field(ge=1, le=5)] = 3
    on_timeout: Target = None
    on_invalid: Target = None


class QueueNode(_Node):
    kind: Literal["queue"] = "queue"
    group: LatinName
    max_wait: Annotated[int, Field(ge=1, le=86400)] | None = None
    next: Target = None


class TransferNode(_Node):
    """To a workplace, or to an operator by agent number wherever they are logged in (then
    ``next`` when nobody answers, or the operator is not logged in), or to an external number
    through the routes (the flow ends there, as a call dialled by an operator would). An
    answered call ends with the person who took it."""

    kind: Literal["transfer"] = "transfer"
    target: Literal["workplace", "operator", "external"]
    number: Dialable
    ring: Annotated[int, Field(ge=5, le=300)] = 30
    next: Target = None


class VoicemailNode(_Node):
    kind: Literal["voicemail"] = "voicemail"
    mailbox: LatinName
    greeting: LatinName | None = None
    max_seconds: Annotated[int, Field(ge=5, le=600)] = 120


class SetNode(_Node):
    kind: Literal["set"] = "set"
    caller_id_prefix: SafeText = ""
    variable: VariableName | None = None
    value: SafeText = ""
    next: Target = None


class HangupNode(_Node):
    kind: Literal["hangup"] = "hangup"
    answer: bool = False  # answer first (the caller hears the line drop, not a rejection)


Node = Annotated[
    StartNode
    | PlayNode
    | ScheduleNode
    | MenuNode
    | QueueNode
    | TransferNode
    | VoicemailNode
    | SetNode
    | HangupNode,
    Field(discriminator="kind"),
]
NODE_KINDS = (
    "start",
    "play",
    "schedule",
    "menu",
    "queue",
    "transfer",
    "voicemail",
    "set",
    "hangup",
)
TERMINAL_KINDS = ("voicemail", "hangup")


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1  # FLOW_VERSION
    # True: the standard flow generated from the topic's own fields (greeting, schedules,
    # group), regenerated whenever they change; False: edited by an admin, used as it is.
    standard: bool = False
    nodes: Annotated[list[Node], Field(min_length=1, max_length=MAX_NODES)]
    _loops: list[set[str]] | None = PrivateAttr(default=None)  # found by the checks

    def by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}


_SINGLE_OUTPUT = frozenset(("start", "play", "queue", "transfer", "set"))


def outputs(node: Node) -> list[tuple[str, str | None]]:
    """The node's outputs as (name, target) in the order the compiler lays them out: the first
    is the one it falls through to. (By kind: called for every node many times.)"""
    # node.kind names the node's class; mypy cannot narrow the union from a kind looked up in a
    # set, so the ignores below stand for that narrowing (dispatch by kind, see the docstring).
    kind = node.kind
    if kind in _SINGLE_OUTPUT:
        if kind == "transfer" and node.target == "external":  # type: ignore[union-attr]
            return []
        return [("next", node.next)]  # type: ignore[union-attr]
    if kind == "schedule":
        return [("open", node.open), ("closed", node.closed)]  # type: ignore[union-attr]
    if kind == "menu":
        menu: MenuNode = node  # type: ignore[assignment]
        return [(f"digit {c.digit}", c.next) for c in menu.choices] + [
            ("timeout", menu.on_timeout),
            ("invalid", menu.on_invalid),
        ]
    return []
