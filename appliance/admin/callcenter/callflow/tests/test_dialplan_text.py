"""The text mode: dialplan text parsed and checked, each refused construct with its line
(no database, no Asterisk)."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings

from appliance.admin.callcenter.callflow.dialplan_text import (
    DialplanTextError,
    check_any_flow,
    dialplan_flow,
    parse_dialplan,
    text_sound_names,
)
from appliance.admin.callcenter.callflow.graph import Flow
from appliance.admin.callcenter.callflow.tests.test_validate import graphs
from appliance.admin.callcenter.callflow.to_dialplan import graph_to_dialplan
from appliance.admin.callcenter.callflow.validate import FlowError, Refs, check_flow

REFS = Refs(sounds={"menu", "hello"}, groups={"sales"}, schedules={"night"}, workplaces={"1001"})

pytestmark = pytest.mark.usefixtures("english")

GOOD = """\
; an IVR written by hand
exten => s,1,GotoIfClosed(night?closed)
 same => n,Answer()
 same => n(menu),Background(hello&menu)
 same => n,WaitExten(5)
 same => n(closed),VoiceMail(office,hello,60)
exten => 1,1,Set(__CUSTOMER=vip ${CALLERID(num)})
 same => n,Set(CALLERID(name)=VIP ${CALLERID(name)})
 same => n,Queue(sales,t,,,120)
 same => n,Dial(Local/+74951234567@uzor-routes,30)
 same => n,Hangup()
exten => _2X,1,Dial(PJSIP/1001,20)
 same => n,Goto(s,menu)
exten => t,1,Set(TRIES=$[0${TRIES} + 1])
 same => n,GotoIf($[${TRIES} < 3]?s,menu:bye)
 same => n(bye),Playback(menu,noanswer)
 same => n,Hangup(16)
exten => i,1,Read(DIGIT,menu,1,,2,5)
 same => n,GotoIf($["${DIGIT}" = "1"]?1,1)
 same => n,Wait(1.5)
 same => n,NoOp(no digit: ${DIGIT})
 same => n,Hangup()
"""


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _refused(text: str) -> list[str]:
    with pytest.raises(DialplanTextError) as caught:
        parse_dialplan(text, REFS)
    return [p.message for p in caught.value.problems]


def test_a_good_text_passes_with_its_extensions_labels_and_references():
    script = parse_dialplan(GOOD, REFS)
    assert script.extensions == {
        "s": {"menu", "closed"},
        "1": set(),
        "_2X": set(),
        "t": {"bye"},
        "i": set(),
    }
    assert script.steps[0].schedules == ["night"]
    assert [s.app for s in script.steps][:4] == [
        "GotoIfClosed",
        "Answer",
        "Background",
        "WaitExten",
    ]
    assert script.steps[3 - 1].sounds == ["hello", "menu"]
    assert script.steps[2].line == 4
    assert sorted(set(text_sound_names(dialplan_flow(GOOD)))) == ["hello", "menu"]


def test_check_any_flow_keeps_a_text_as_text_and_a_graph_as_a_custom_graph():
    assert check_any_flow(dialplan_flow(GOOD), REFS) == {"version": 1, "dialplan": GOOD}
    graph = {
        "version": 1,
        "nodes": [{"id": "start", "kind": "start", "next": "end"}, {"id": "end", "kind": "hangup"}],
    }
    assert check_any_flow(graph, REFS)["standard"] is False
    with pytest.raises(FlowError):
        check_any_flow({"version": 1, "dialplan": GOOD, "nodes": []}, REFS)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("#include evil.conf", "line 2: #include, #exec and other directives are not allowed"),
        ("#exec /bin/sh", "line 2: #include, #exec and other directives are not allowed"),
        ("[other]", "line 2: a context header is not allowed: the text is the topic's own context"),
        ("include => Outbound", "line 2: include is not allowed: the flow stays in the topic"),
        ("switch => Realtime/x", "line 2: switch is not allowed: the flow stays in the topic"),
        (" same => n,System(rm -rf /)", "line 2: the application System is not allowed"),
        (" same => n,Shell(id)", "line 2: the application Shell is not allowed"),
        (" same => n,Dial(PJSIP/100@gateway)", "line 2: Dial may only call a workplace"),
        (" same => n,Dial(SIP/evil)", "line 2: Dial may only call a workplace"),
        (" same => n,Dial(Local/123@Outbound)", "line 2: Dial may only call a workplace"),
        (" same => n,Dial(PJSIP/2002)", "line 2: there is no workplace numbered 2002"),
        (" same => n,Dial(Local/12&3@uzor-routes)", "line 2: '12&3' is not a number to dial"),
        (" same => n,DialOperator(12)", "line 2: '12' is not an agent number (3 to 16 digits)"),
        (
            " same => n,DialOperator(${X})",
            "line 2: '${X}' is not an agent number (3 to 16 digits)",
        ),
        (" same => n,DialOperator(101,0)", "line 2: the ring time in seconds"),
        (" same => n,Playback(nosuch)", "line 2: there is no sound named nosuch"),
        (" same => n,Playback(/etc/passwd)", "line 2: '/etc/passwd' is not a sound name"),
        (" same => n,Queue(nosuch)", "line 2: there is no group named nosuch"),
        (" same => n,Queue(sales,t,http://x)", "line 2: Queue: only the group"),
        (" same => n,GotoIfClosed(weekend?s,1)", "line 2: there is no schedule named weekend"),
        (" same => n,Set(UZOR_TOPIC=1)", "line 2: 'UZOR_TOPIC' cannot be set"),
        (
            " same => n,Set(CHANNEL(hangup_handler_push)=x)",
            "line 2: 'CHANNEL(hangup_handler_push)' cannot be set",
        ),
        (" same => n,Set(A=${SHELL(id)})", "line 2: '${SHELL(id)}': a value may hold"),
        (
            " same => n,Set(A=$[${SHELL(id)}])",
            "line 2: '$[${SHELL(id)}]': '${SHELL(id)}' is not allowed",
        ),
        (" same => n,NoOp(a;b)", "line 2: expected <Application>(<arguments>)"),
        (
            " same => n,Goto(Outbound,123,1)",
            "line 2: the jump 'Outbound,123,1' must stay in the topic",
        ),
        (" same => n,Goto(nolabel)", "line 2: the jump goes to the label nolabel"),
        (" same => n,Goto(9,1)", "line 2: the jump goes to the extension 9"),
        (" same => n,GotoIf($[1]?a:b:c)", "line 2: expected GotoIf"),
        (" same => n,Hangup(999)", "line 2: the hang-up cause must be a number from 1 to 127"),
        (" same => n,Answer(5)", "line 2: Answer takes no arguments"),
        (" same => 2,Answer()", "line 2: the priority must be n"),
        (" same => n(bad-label),Answer()", "line 2: the label bad-label is not allowed"),
        ("exten => _X.,n,Answer()", "line 2: the priority must be 1"),
        ("exten => _Q.,1,Answer()", "line 2: the extension _Q.: In _Q., 'Q' is not allowed"),
        ("exten => _.,1,Answer()", "line 2: the extension _.: The pattern _. matches everything"),
        ("exten => s,1,Answer()", "line 2: the extension s is defined twice"),
        (" same => n,NoOp(a\\;b)", "line 2: a backslash is not allowed"),
        ("whatever", "line 2: expected exten => or same =>"),
    ],
)
def test_each_refused_construct_names_its_line(line, message):
    problems = _refused(f"exten => s,1,Answer()\n{line}\n same => n,Hangup()\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems


def test_every_bad_line_is_reported_and_a_text_without_s_is_refused():
    problems = _refused("exten => s,1,Answer()\n same => n,System(x)\n\n same => n,Playback(x)\n")
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 4"]
    assert _refused("exten => 1,1,Answer()\n") == [
        "the text must define the extension s: calls enter at s,1"
    ]
    assert _refused(" same => n,Answer()\n") == ["line 1: same => before any exten =>"]
    assert _refused("exten => s,1(a),Answer()\n same => n(a),Hangup()\n") == [
        "line 2: the label a is used twice"
    ]


def test_errors_are_translated_to_russian():
    with translation.override("ru"), pytest.raises(DialplanTextError) as caught:
        parse_dialplan("exten => s,1,System(x)\n", REFS)
    assert caught.value.problems[0].message.startswith("строка 1: приложение System")
    with translation.override("ru"), pytest.raises(DialplanTextError) as caught:
        parse_dialplan("exten => s,1,Hangup(999)\n", REFS)
    assert caught.value.problems[0].message == ("строка 1: причина отбоя: нужно число от 1 до 127")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(graphs())
def test_every_valid_graph_converts_to_a_text_that_checks(flow):
    try:
        graph = check_flow(flow, REFS)
    except FlowError:
        return
    text = graph_to_dialplan(graph)
    script = parse_dialplan(text, REFS)
    assert set(script.extensions) == {"s"}
    assert {n.id for n in graph.nodes} <= script.extensions["s"]


def test_a_menu_converts_to_read_and_jumps():
    graph = Flow.model_validate(
        {
            "version": 1,
            "nodes": [
                {"id": "start", "kind": "start", "next": "main"},
                {
                    "id": "main",
                    "kind": "menu",
                    "prompt": "menu",
                    "timeout": 4,
                    "retries": 2,
                    "choices": [{"digit": "1", "next": "sales"}],
                    "on_timeout": "bye",
                    "on_invalid": "bye",
                },
                {"id": "sales", "kind": "queue", "group": "sales", "max_wait": 60, "next": "out"},
                {"id": "out", "kind": "transfer", "target": "external", "number": "+7495"},
                {"id": "bye", "kind": "hangup"},
            ],
        }
    )
    assert graph_to_dialplan(graph).splitlines()[2:] == [
        "exten => s,1(start),NoOp()",
        " same => n(main),Set(FLOW_TRIES=0)",
        " same => n(main__ask),Set(FLOW_TRIES=$[${FLOW_TRIES} + 1])",
        " same => n,Read(FLOW_DIGIT,menu,1,,1,4)",
        ' same => n,GotoIf($["${FLOW_DIGIT}" = "1"]?sales)',
        ' same => n,GotoIf($["${FLOW_DIGIT}" = ""]?main__none)',
        " same => n,GotoIf($[${FLOW_TRIES} < 2]?main__ask)",
        " same => n,Goto(bye)",
        " same => n(main__none),GotoIf($[${FLOW_TRIES} < 2]?main__ask)",
        " same => n,Goto(bye)",
        " same => n(sales),Queue(sales,t,,,60)",
        " same => n(out),Dial(Local/+7495@uzor-routes)",
        " same => n,Hangup()",
        " same => n(bye),Hangup()",
    ]


def test_an_operator_transfer_converts_to_dial_operator_and_back_checks():
    graph = Flow.model_validate(
        {
            "version": 1,
            "nodes": [
                {"id": "start", "kind": "start", "next": "op"},
                {
                    "id": "op",
                    "kind": "transfer",
                    "target": "operator",
                    "number": "101",
                    "ring": 20,
                    "next": "bye",
                },
                {"id": "bye", "kind": "hangup"},
            ],
        }
    )
    text = graph_to_dialplan(graph)
    assert text.splitlines()[2:] == [
        "exten => s,1(start),NoOp()",
        " same => n(op),DialOperator(101,20)",
        " same => n(bye),Hangup()",
    ]
    assert parse_dialplan(text, REFS).extensions["s"] >= {"start", "op", "bye"}
