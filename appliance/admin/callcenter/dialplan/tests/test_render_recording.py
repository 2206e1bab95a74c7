"""Call recording in the rendered dialplan (real MariaDB, no Asterisk; the real unit records in
tests/integration/dialplan/test_call_recording.py)."""

from __future__ import annotations

import re

import pytest

from appliance.admin.callcenter.dialplan import load_snapshot
from appliance.admin.callcenter.dialplan.recording import recording_file_expression
from appliance.admin.callcenter.dialplan.render import render_unit
from appliance.admin.callcenter.models import Operator

from .model import build_model
from .test_render import _sections

pytestmark = pytest.mark.usefixtures("admin_db")


def _code(section: str) -> str:
    """A section without its comment lines."""
    return "\n".join(line for line in section.splitlines() if not line.startswith(";"))


def _conf() -> str:
    return render_unit(load_snapshot(), "u", 1)["extensions.conf"]


def test_nothing_is_recorded_unless_a_topic_or_an_operator_says_so(tmp_path):
    build_model(tmp_path)
    conf = _conf()
    assert "__UZOR_RECORD=1" not in conf
    assert [_code(s) for s in _sections(conf, "uzor-record-operators")] == [""]
    # the hooks are there, so an operator's own setting applies on any topic
    assert "Queue(sales,t,,,,,uzor-record-member)" in conf
    (outbound,) = _sections(conf, "Outbound")
    assert "same => n,Gosub(uzor-record,s,1(${FILTER(0-9,${UZOR_AGENT})}))" in outbound


def test_a_recorded_topic_marks_its_calls_and_an_operator_is_listed(tmp_path):
    model = build_model(tmp_path)
    model.topic.record_calls = True
    model.topic.save()
    model.outbound.record_calls = True
    model.outbound.save()
    Operator.objects.filter(agent_number="101").update(record_calls=True)
    silent = Operator(agent_number="102")
    silent.set_password("s3cret-pass")
    silent.save()
    conf = _conf()
    (inbound,) = _sections(conf, "Inbound")
    assert inbound.count("same => n,Set(__UZOR_RECORD=1)") == 1
    (outbound,) = _sections(conf, "Outbound")
    lines = outbound.splitlines()
    at = lines.index("same => n,Set(__UZOR_RECORD=1)")
    assert lines[at + 1] == "same => n,Gosub(uzor-record,s,1(${FILTER(0-9,${UZOR_AGENT})}))"
    assert lines[at + 2] == "same => n,Goto(uzor-routes,s,1)"
    (operators,) = _sections(conf, "uzor-record-operators")
    assert _code(operators) == "exten => 101,1,Return()"


def test_the_recording_starts_with_a_safe_name_and_uploads_itself(tmp_path):
    build_model(tmp_path)
    (record,) = _sections(_conf(), "uzor-record")
    assert "MixMonitor(${UZOR_RECORDING},b,@UZOR_CONFGEN@ --recording ${UZOR_RECORDING})" in record
    assert f"Set(UZOR_RECORDING={recording_file_expression()})" in record
    # every value in the name is FILTER-ed to digits, letters, '.', '-' (a shell runs the
    # command): without the FILTER() calls, no ${...} is left
    name = recording_file_expression().removeprefix("@UZOR_RECORDINGS_DIR@/")
    bare = re.sub(r"\$\{FILTER\([-.0-9A-Za-z]+,\$\{[A-Z_]+(\([a-z]+\))?\}\)\}", "", name)
    assert bare == "_____${LOCAL(agent)}.wav"
    assert "Set(LOCAL(agent)=${FILTER(0-9,${ARG1})})" in record
    (member,) = _sections(_conf(), "uzor-record-member")
    assert member.splitlines()[0] == (
        "exten => s,1,Gosub(uzor-record,s,1(${FILTER(0-9,${MEMBERNAME})}))"
    )


def test_a_text_flows_queue_gets_the_hook_too(tmp_path):
    from appliance.admin.callcenter.callflow.dialplan_text import dialplan_flow

    model = build_model(tmp_path)
    model.topic.flow = dialplan_flow("exten => s,1,Answer()\n same => n,Queue(sales,t,,,45)\n")
    model.topic.save()
    (context,) = _sections(_conf(), f"uzor-flow-{model.topic.pk}")
    assert "same => n,Queue(sales,t,,,45,,uzor-record-member)" in context
