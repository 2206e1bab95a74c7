"""The call-flow compiler: golden output per node kind (no database, no Asterisk)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from appliance.admin.callcenter.callflow.default import standard_flow
from appliance.admin.callcenter.callflow.validate import Refs
from appliance.admin.callcenter.dialplan.escape import RenderError
from appliance.admin.callcenter.dialplan.flows import FlowContext, compile_flow

SOUNDS = {"hello": "/s/hello-1", "menu": "/s/menu-2", "bye": "/s/bye-3", "vm": "/s/vm-4"}
CTX = FlowContext(
    refs=Refs(
        sounds=set(SOUNDS),
        groups={"sales", "support"},
        schedules={"night", "holidays"},
        workplaces={"1001"},
    ),
    sound_paths=SOUNDS,
    schedule_ids={"night": 3, "holidays": 9},
)


def _compile(*nodes: dict[str, Any]) -> list[str]:
    return compile_flow({"version": 1, "nodes": list(nodes)}, CTX, "topic 1")


def _start(to: str) -> dict[str, Any]:
    return {"id": "start", "kind": "start", "next": to}


def test_the_standard_flow_compiles_to_the_fixed_path_of_before():
    flow = standard_flow("hello", "bye", "sales", ["night", "holidays"])
    assert compile_flow(flow, CTX, "t") == [
        "n,Gosub(uzor-schedule-3,s,1)",
        "n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        "n,Gosub(uzor-schedule-9,s,1)",
        "n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        "n,Answer()",
        "n,Playback(/s/hello-1)",
        "n,Queue(sales,t,,,,,uzor-record-member)",
        "n,Hangup()",
        "n(closed),Answer()",
        "n,Playback(/s/bye-3)",
        "n,Hangup()",
    ]


def test_the_standard_flow_without_sounds_schedules_or_group_answers_and_hangs_up():
    assert compile_flow(standard_flow(None, None, None, []), CTX, "t") == [
        "n,Answer()",
        "n,Hangup()",
    ]
    assert compile_flow(standard_flow(None, None, "sales", ["night"]), CTX, "t") == [
        "n,Gosub(uzor-schedule-3,s,1)",
        "n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        "n,Answer()",
        "n,Queue(sales,t,,,,,uzor-record-member)",
        "n,Hangup()",
        "n(closed),Answer()",
        "n,Hangup()",
    ]


def test_a_menu_reads_one_digit_with_bounded_retries_and_branches():
    lines = _compile(
        _start("main"),
        {
            "id": "main",
            "kind": "menu",
            "prompt": "menu",
            "timeout": 4,
            "retries": 2,
            "choices": [{"digit": "1", "next": "sales"}, {"digit": "*", "next": "vm"}],
            "on_timeout": "bye",
            "on_invalid": "bye",
        },
        {"id": "sales", "kind": "queue", "group": "sales", "max_wait": 60, "next": "vm"},
        {"id": "vm", "kind": "voicemail", "mailbox": "office", "max_seconds": 90},
        {"id": "bye", "kind": "hangup"},
    )
    assert lines == [
        "n,Answer()",
        "n,Set(UZOR_TRIES=0)",
        "n(main__ask),Set(UZOR_TRIES=$[${UZOR_TRIES} + 1])",
        "n,Read(UZOR_DIGIT,/s/menu-2,1,,1,4)",
        'n,GotoIf($["${UZOR_DIGIT}" = "1"]?sales)',
        'n,GotoIf($["${UZOR_DIGIT}" = "*"]?vm)',
        'n,GotoIf($["${UZOR_DIGIT}" = ""]?main__none)',
        "n,GotoIf($[${UZOR_TRIES} < 2]?main__ask)",
        "n,Goto(bye)",
        "n(main__none),GotoIf($[${UZOR_TRIES} < 2]?main__ask)",
        "n,Goto(bye)",
        "n(sales),Queue(sales,t,,,60,,uzor-record-member)",  # answered on every way in
        "n(vm),Set(UZOR_VOICEMAIL=@UZOR_VOICEMAIL_DIR@/office/"
        "${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${FILTER(0-9,${CALLERID(num)})}-${UNIQUEID})",
        "n,Set(CHANNEL(hangup_handler_push)=uzor-voicemail-upload,s,1)",
        "n,Record(${UZOR_VOICEMAIL}.wav,5,90,k)",
        "n,Hangup()",
        "n(bye),Hangup()",
    ]


def test_play_set_and_transfers():
    lines = _compile(
        _start("tag"),
        {
            "id": "tag",
            "kind": "set",
            "caller_id_prefix": "VIP: ",
            "variable": "SEGMENT",
            "value": "gold",
            "next": "hello",
        },
        {"id": "hello", "kind": "play", "sound": "hello", "next": "desk"},
        {
            "id": "desk",
            "kind": "transfer",
            "target": "workplace",
            "number": "1001",
            "ring": 20,
            "next": "out",
        },
        {"id": "out", "kind": "transfer", "target": "external", "number": "+74951112233"},
    )
    assert lines == [
        "n,Set(CALLERID(name)=VIP: ${CALLERID(name)})",
        "n,Set(__SEGMENT=gold)",
        "n,Answer()",
        "n,Playback(/s/hello-1)",
        "n,Dial(PJSIP/1001,20)",
        "n,Set(UZOR_NUMBER=${FILTER(0-9*#+,+74951112233)})",
        "n,Goto(uzor-routes,s,1)",
    ]


def test_an_operator_transfer_rings_the_workplace_the_agency_published_else_goes_on():
    lines = _compile(
        _start("op"),
        {
            "id": "op",
            "kind": "transfer",
            "target": "operator",
            "number": "101",
            "ring": 25,
            "next": "bye",
        },
        {"id": "bye", "kind": "hangup", "answer": True},
    )
    assert lines == [
        "n,Set(UZOR_OPERATOR_AT=${FILTER(0-9,${GLOBAL(UZOR_OPERATOR_101)})})",
        'n,ExecIf($["${UZOR_OPERATOR_AT}" != ""]?Dial(PJSIP/${UZOR_OPERATOR_AT},25))',
        "n,Answer()",
        "n,Hangup()",
    ]


def test_an_operator_transfer_stored_around_the_checks_is_refused_at_render():
    with pytest.raises(RenderError, match="agent number is 3 to 16 digits"):
        _compile(
            _start("op"),
            {"id": "op", "kind": "transfer", "target": "operator", "number": "+71", "next": "bye"},
            {"id": "bye", "kind": "hangup"},
        )


def test_a_branch_laid_out_elsewhere_is_reached_by_goto_and_a_loop_is_guarded():
    lines = _compile(
        _start("hello"),
        {"id": "hello", "kind": "play", "sound": "hello", "next": "main"},
        {
            "id": "main",
            "kind": "menu",
            "prompt": "menu",
            "choices": [{"digit": "0", "next": "hello"}, {"digit": "1", "next": "bye"}],
            "on_timeout": "bye",
            "on_invalid": "main",
        },
        {"id": "bye", "kind": "hangup", "answer": True},
    )
    assert lines[:4] == [
        "n(hello),Set(UZOR_STEPS=$[0${UZOR_STEPS} + 1])",
        "n,ExecIf($[${UZOR_STEPS} > 100]?Hangup())",
        "n,Answer()",
        "n,Playback(/s/hello-1)",
    ]
    assert lines[4] == "n(main),Set(UZOR_STEPS=$[0${UZOR_STEPS} + 1])"
    assert "n,Answer()" not in lines[4:8]  # answered on every way in
    assert lines[-2:] == ["n(bye),Answer()", "n,Hangup()"]


def test_a_schedule_branch_jumps_to_its_closed_output():
    lines = _compile(
        _start("hours"),
        {"id": "hours", "kind": "schedule", "schedules": ["night"], "open": "q", "closed": "vm"},
        {"id": "q", "kind": "queue", "group": "support", "next": "vm"},
        {"id": "vm", "kind": "voicemail", "mailbox": "night", "greeting": "bye"},
    )
    assert lines[:5] == [
        "n,Gosub(uzor-schedule-3,s,1)",
        "n,GotoIf($[${GOSUB_RETVAL} = 1]?vm)",
        "n,Answer()",
        "n,Queue(support,t,,,,,uzor-record-member)",
        "n(vm),Answer()",
    ]
    assert lines[5] == "n,Playback(/s/bye-3)"


@translation.override("en")
def test_an_invalid_flow_is_refused_naming_the_topic_and_the_node():
    with pytest.raises(RenderError, match=r"topic 1: call flow: .*q: there is no group"):
        _compile(
            _start("q"),
            {"id": "q", "kind": "queue", "group": "nobody", "next": "end"},
            {"id": "end", "kind": "hangup"},
        )
    with pytest.raises(RenderError, match=r"x: value: not an allowed value"):
        _compile(
            _start("x"),
            {"id": "x", "kind": "set", "variable": "A", "value": "${SHELL(id)}", "next": "end"},
            {"id": "end", "kind": "hangup"},
        )
