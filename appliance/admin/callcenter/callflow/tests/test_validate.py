"""Server-side checks of call flows: every problem tied to its node (no database)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.admin.callcenter.callflow.default import standard_flow
from appliance.admin.callcenter.callflow.validate import FlowError, Problem, Refs, check_flow
from appliance.admin.callcenter.dialplan.flows import FlowContext, compile_flow

REFS = Refs(sounds={"menu", "hello"}, groups={"sales"}, schedules={"night"}, workplaces={"1001"})

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _problems(*nodes: dict[str, Any]) -> list[Problem]:
    with pytest.raises(FlowError) as caught:
        check_flow({"version": 1, "nodes": list(nodes)}, REFS)
    return caught.value.problems


START = {"id": "start", "kind": "start", "next": "main"}
END = {"id": "end", "kind": "hangup"}


def _menu(**changes: Any) -> dict[str, Any]:
    menu = {
        "id": "main",
        "kind": "menu",
        "prompt": "menu",
        "choices": [{"digit": "1", "next": "end"}],
        "on_timeout": "end",
        "on_invalid": "end",
    }
    menu.update(changes)
    return menu


def test_a_good_flow_and_the_standard_flows_pass():
    flow = check_flow({"version": 1, "nodes": [START, _menu(), END]}, REFS)
    assert [n.id for n in flow.nodes] == ["start", "main", "end"]
    check_flow(standard_flow("hello", "menu", "sales", ["night"]), REFS)
    check_flow(standard_flow(None, None, None, []), REFS)


def test_an_unconnected_output_is_named_on_its_node():
    assert _problems(START, _menu(on_timeout=None), END) == [
        Problem("main", "output timeout is not connected")
    ]


def test_a_digit_used_twice_and_a_missing_sound_group_or_schedule():
    choices = [{"digit": "1", "next": "end"}, {"digit": "1", "next": "end"}]
    problems = _problems(START, _menu(choices=choices, prompt="nope"), END)
    assert set(problems) == {
        Problem("main", "digit 1 is used twice"),
        Problem("main", "there is no sound named nope"),
    }
    problems = _problems(
        {"id": "start", "kind": "start", "next": "q"},
        {"id": "q", "kind": "queue", "group": "ghosts", "next": "h"},
        {"id": "h", "kind": "schedule", "schedules": ["never"], "open": "end", "closed": "end"},
        END,
    )
    assert set(problems) == {
        Problem("q", "there is no group named ghosts"),
        Problem("h", "there is no schedule named never"),
    }


def test_an_unreachable_node_and_a_missing_target():
    assert _problems(START, _menu(), END, {"id": "lost", "kind": "hangup"}) == [
        Problem("lost", "no path from the start leads to this node")
    ]
    assert _problems(START, _menu(on_invalid="nowhere"), END) == [
        Problem("main", "output invalid leads to a node that does not exist: nowhere")
    ]


def test_loops_need_an_exit_and_must_wait_for_the_caller():
    problems = _problems(
        {"id": "start", "kind": "start", "next": "a"},
        {"id": "a", "kind": "play", "sound": "hello", "next": "b"},
        {"id": "b", "kind": "play", "sound": "hello", "next": "a"},
    )
    assert set(problems) == {
        Problem("a", "this node is in a loop with no exit"),
        Problem("b", "this node is in a loop with no exit"),
    }
    problems = _problems(
        {"id": "start", "kind": "start", "next": "a"},
        {"id": "a", "kind": "set", "variable": "X", "next": "b"},
        {"id": "b", "kind": "schedule", "schedules": ["night"], "open": "a", "closed": "end"},
        END,
    )
    assert Problem("a", "this loop never waits for the caller: add a menu or a queue") in problems
    # Through a menu a loop is fine: the caller chooses, and the retries are bounded.
    check_flow({"version": 1, "nodes": [START, _menu(on_invalid="main"), END]}, REFS)


def test_bad_shapes_are_tied_to_their_node():
    problems = _problems(START, _menu(timeout=0, retries=9), END)
    assert {p.node for p in problems} == {"main"}
    assert {p.message.split(":")[0] for p in problems} == {"timeout", "retries"}
    (problem,) = _problems(
        START, {"id": "main", "kind": "set", "variable": "UZOR_TOPIC", "next": "end"}, END
    )
    assert problem.node == "main" and problem.message.startswith("variable:")
    (problem,) = _problems(START, {"id": "main", "kind": "teleport"}, END)
    assert problem.node == "main"
    (problem,) = _problems(START, {"id": "Bad Id!", "kind": "hangup"})
    assert problem.node == "Bad Id!" and problem.message.startswith("id:")


def test_an_external_transfer_ends_the_flow_and_a_workplace_must_exist():
    problems = _problems(
        {"id": "start", "kind": "start", "next": "out"},
        {
            "id": "out",
            "kind": "transfer",
            "target": "external",
            "number": "89031234567",
            "next": "desk",
        },
        {"id": "desk", "kind": "transfer", "target": "workplace", "number": "1002", "next": "end"},
        END,
    )
    assert (
        Problem("out", "a transfer to an external number ends the flow: remove its next node")
        in problems
    )
    assert Problem("desk", "there is no workplace numbered 1002") in problems


def test_an_operator_transfer_needs_an_agent_number_and_a_next_node():
    def transfer(number: str, next_node: str | None = "end") -> dict[str, Any]:
        return {
            "id": "desk",
            "kind": "transfer",
            "target": "operator",
            "number": number,
            "ring": 20,
            "next": next_node,
        }

    flow = check_flow(
        {"version": 1, "nodes": [{**START, "next": "desk"}, transfer("101"), END]}, REFS
    )
    assert flow.by_id()["desk"].target == "operator"  # type: ignore[union-attr]
    for bad in ("12", "+7101", "1*1", "12345678901234567"):
        problems = _problems({**START, "next": "desk"}, transfer(bad), END)
        assert problems == [Problem("desk", "an operator's agent number is 3 to 16 digits")], bad
    assert _problems({**START, "next": "desk"}, transfer("101", None)) == [
        Problem("desk", "output next is not connected")
    ]
    with translation.override("ru"):
        (problem,) = _problems({**START, "next": "desk"}, transfer("12"), END)
    assert problem.message == "номер агента оператора: от 3 до 16 цифр"


def test_one_start_node():
    assert _problems(_menu(), END) == [Problem(None, "a flow needs exactly one start node")]


# ---- property: generated graphs either compile or are refused with node-level errors ----

KINDS = ("play", "menu", "queue", "set", "schedule", "hangup", "voicemail", "transfer")
CTX = FlowContext(REFS, {"menu": "/s/menu", "hello": "/s/hello"}, {"night": 1})


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(1, 12))
    ids = [f"n{i}" for i in range(size)]
    targets = st.sampled_from([*ids, None])
    nodes: list[dict[str, Any]] = [{"id": "start", "kind": "start", "next": ids[0]}]
    for node_id in ids:
        kind = draw(st.sampled_from(KINDS))
        node: dict[str, Any] = {"id": node_id, "kind": kind}
        if kind == "play":
            node.update(sound=draw(st.sampled_from(["hello", "gone"])), next=draw(targets))
        elif kind == "menu":
            digits = draw(st.lists(st.sampled_from("0123456789*"), min_size=1, max_size=4))
            node.update(
                prompt="menu",
                choices=[{"digit": d, "next": draw(targets)} for d in digits],
                on_timeout=draw(targets),
                on_invalid=draw(targets),
            )
        elif kind == "queue":
            node.update(
                group="sales", max_wait=draw(st.none() | st.integers(1, 600)), next=draw(targets)
            )
        elif kind == "set":
            node.update(variable="X", value=draw(st.sampled_from(["a", "b c"])), next=draw(targets))
        elif kind == "schedule":
            node.update(schedules=["night"], open=draw(targets), closed=draw(targets))
        elif kind == "voicemail":
            node.update(mailbox="box")
        elif kind == "transfer":
            target = draw(st.sampled_from(["workplace", "operator"]))
            number = "1001" if target == "workplace" else draw(st.sampled_from(["101", "12"]))
            node.update(target=target, number=number, next=draw(targets))
        nodes.append(node)
    return {"version": 1, "nodes": nodes}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_every_generated_graph_compiles_or_is_refused_per_node(flow):
    try:
        check_flow(flow, REFS)
    except FlowError as exc:
        ids = {n["id"] for n in flow["nodes"]}
        assert exc.problems
        assert all(p.node in ids for p in exc.problems), exc.problems
        return
    lines = compile_flow(flow, CTX, "t")
    labels = {line[2:].split(")")[0] for line in lines if line.startswith("n(")}
    for line in lines:
        for target in _jumps(line):
            assert target in labels, (target, lines)


def _jumps(line: str) -> list[str]:
    body = line.split(",", 1)[1]
    if body.startswith("Goto(") and "," not in body:
        return [body[5:-1]]
    if body.startswith("GotoIf("):
        return [body.rsplit("?", 1)[1].rstrip(")")]
    return []


def test_problems_are_in_russian_too():
    with translation.override("ru"):
        problems = _problems(START, _menu(on_timeout=None, timeout=0), END)
    assert problems == [Problem("main", "timeout: не меньше 1")]
    with translation.override("ru"):
        problems = _problems(START, _menu(on_timeout=None), END)
    assert problems == [Problem("main", "выход timeout ни с чем не соединён")]
