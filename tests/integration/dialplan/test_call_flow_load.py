"""Property: every valid generated call flow compiles into dialplan a real Asterisk 22 unit
loads with no warning or error (the generator of the unit tests; invalid ones are refused
there with node-level problems)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.admin.callcenter.callflow.dialplan_text import dialplan_flow
from appliance.admin.callcenter.callflow.tests.test_validate import CTX, REFS
from appliance.admin.callcenter.callflow.to_dialplan import graph_to_dialplan
from appliance.admin.callcenter.callflow.validate import FlowError, check_flow
from appliance.admin.callcenter.dialplan.flows import compile_flow
from appliance.admin.callcenter.dialplan.text_flows import compile_text_flow

pytestmark = pytest.mark.integration


@st.composite
def connected_graphs(draw: st.DrawFn) -> dict[str, Any]:
    """Chains of every kind with forward branches and menu loops back (valid by design,
    still checked: what the checks refuse is left out)."""
    size = draw(st.integers(2, 14))
    ids = [f"n{i}" for i in range(size)]
    nodes: list[dict[str, Any]] = [{"id": "start", "kind": "start", "next": ids[0]}]
    middle = ("play", "menu", "queue", "set", "schedule", "transfer")
    for i, node_id in enumerate(ids):
        later = st.sampled_from(ids[i + 1 :]) if i + 1 < size else None
        if later is None:
            kind = draw(st.sampled_from(("hangup", "voicemail", "external")))
        else:
            kind = draw(st.sampled_from(middle))
        following = ids[i + 1] if later is not None else None
        node: dict[str, Any] = {"id": node_id, "kind": kind}
        if kind == "play":
            node.update(sound="hello", next=following)
        elif kind == "menu":
            anywhere = st.sampled_from(ids)
            digits = draw(
                st.lists(st.sampled_from("0123456789*"), min_size=1, max_size=4, unique=True)
            )
            node.update(
                prompt="menu",
                timeout=draw(st.integers(1, 10)),
                retries=draw(st.integers(1, 5)),
                choices=[{"digit": d, "next": draw(anywhere)} for d in digits],
                on_timeout=following,
                on_invalid=draw(anywhere),
            )
        elif kind == "queue":
            node.update(
                group="sales", max_wait=draw(st.none() | st.integers(1, 600)), next=following
            )
        elif kind == "set":
            node.update(
                caller_id_prefix=draw(st.sampled_from(["", "VIP ", "Продажи: "])),
                variable="SEGMENT",
                value="gold",
                next=following,
            )
        elif kind == "schedule":
            node.update(schedules=["night"], open=following, closed=draw(later))
        elif kind == "transfer":
            target = draw(st.sampled_from(("workplace", "operator")))
            number = "1001" if target == "workplace" else "101"
            node.update(target=target, number=number, next=following)
        elif kind == "voicemail":
            node.update(mailbox="box", greeting=draw(st.sampled_from([None, "hello"])))
        elif kind == "hangup":
            node.update(answer=draw(st.booleans()))
        elif kind == "external":
            node.update(kind="transfer", target="external", number="+74951234567")
        nodes.append(node)
    return {"version": 1, "nodes": nodes}


def _valid_flows() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    checks = [HealthCheck.too_slow, HealthCheck.filter_too_much]

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=checks)
    @given(connected_graphs())
    def collect(flow: dict[str, Any]) -> None:
        try:
            check_flow(flow, REFS)
        except FlowError:
            return
        found.append(flow)

    collect()
    return found


def test_valid_generated_flows_load_into_asterisk_without_warnings(asterisk_unit):
    flows = _valid_flows()
    assert len(flows) >= 100, len(flows)  # the checks let (nearly) all of them through
    lines = ["[uzor-flowtest]"]
    for number, flow in enumerate(flows, 100):
        lines.append(f"exten => {number},1,NoOp(flow {number})")
        lines.extend(f" same => {line}" for line in compile_flow(flow, CTX, str(number)))
    unit = asterisk_unit({"extensions.d/flows.conf": "\n".join(lines) + "\n"})

    shown = unit.cli("dialplan show uzor-flowtest")
    assert f"-= {len(flows)} extensions" in shown, shown[-300:]
    ours = re.compile(r"pbx_config|pbx\.c|extensions|flows\.conf")  # not other modules' notes
    problems = [
        line
        for line in unit.read_log().splitlines()
        if re.search(r"\b(WARNING|ERROR)\b", line) and ours.search(line)
    ]
    assert problems == []


def test_generated_flows_converted_to_dialplan_text_load_without_warnings(asterisk_unit):
    """The text mode: each valid generated graph written as text (as switching a topic to
    text does), checked and compiled into a context of its own."""
    flows = _valid_flows()
    conf: list[str] = []
    for number, flow in enumerate(flows, 100):
        text = graph_to_dialplan(check_flow(flow, REFS))
        conf.append(f"[uzor-flow-{number}]")
        conf.extend(compile_text_flow(dialplan_flow(text), CTX, str(number)))
    unit = asterisk_unit({"extensions.d/flows.conf": "\n".join(conf) + "\n"})

    shown = unit.cli(f"dialplan show s@uzor-flow-{99 + len(flows)}")
    assert "-= 1 extension" in shown, shown[-300:]
    ours = re.compile(r"pbx_config|pbx\.c|extensions|flows\.conf")
    problems = [
        line
        for line in unit.read_log().splitlines()
        if re.search(r"\b(WARNING|ERROR)\b", line) and ours.search(line)
    ]
    assert problems == []
