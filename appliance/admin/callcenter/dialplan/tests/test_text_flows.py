"""The text mode's compiler: the checked text as the body of the topic's own context
(golden output; no database, no Asterisk)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from hypothesis import event, given, settings
from hypothesis import strategies as st

from appliance.admin.callcenter.callflow.dialplan_text import dialplan_flow
from appliance.admin.callcenter.dialplan.escape import RenderError
from appliance.admin.callcenter.dialplan.tests.test_flows import CTX
from appliance.admin.callcenter.dialplan.text_flows import compile_text_flow

TEXT = """\
exten => s,1,GotoIfClosed(night&holidays?closed) ; comments go
 same => n,Answer()
 same => n(menu),Background(hello&menu,m)
 same => n,WaitExten(5)
 same => n(closed),VoiceMail(office,vm,60)
exten => 1,1,Set(__CUSTOMER=vip)
 same => n,Read(DIGIT,menu,1,,2,5)
 same => n,Queue(sales,t,,,120)
 same => n,Dial(Local/+74951234567@uzor-routes,30)
 same => n,Dial(PJSIP/1001)
exten => t,1,GotoIf($[${TRIES} < 3]?s,menu:s,closed)
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_dial_operator_compiles_like_the_graphs_transfer_to_an_operator():
    text = "exten => s,1,DialOperator(101,20)\n same => n,DialOperator(1020)\n same => n,Hangup()\n"
    assert compile_text_flow(dialplan_flow(text), CTX, "topic 1") == [
        "exten => s,1,Set(UZOR_OPERATOR_AT=${FILTER(0-9,${GLOBAL(UZOR_OPERATOR_101)})})",
        ' same => n,ExecIf($["${UZOR_OPERATOR_AT}" != ""]?Dial(PJSIP/${UZOR_OPERATOR_AT},20))',
        " same => n,Set(UZOR_OPERATOR_AT=${FILTER(0-9,${GLOBAL(UZOR_OPERATOR_1020)})})",
        ' same => n,ExecIf($["${UZOR_OPERATOR_AT}" != ""]?Dial(PJSIP/${UZOR_OPERATOR_AT},30))',
        " same => n,Hangup()",
    ]


def test_a_text_compiles_to_the_topic_context_with_paths_voicemail_schedules_and_guards():
    assert compile_text_flow(dialplan_flow(TEXT), CTX, "topic 1") == [
        "exten => s,1,Set(UZOR_STEPS=$[0${UZOR_STEPS} + 1])",
        " same => n,ExecIf($[${UZOR_STEPS} > 100]?Hangup())",
        " same => n,Gosub(uzor-schedule-3,s,1)",
        " same => n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        " same => n,Gosub(uzor-schedule-9,s,1)",
        " same => n,GotoIf($[${GOSUB_RETVAL} = 1]?closed)",
        " same => n,Answer()",
        " same => n(menu),Background(/s/hello-1&/s/menu-2,m)",
        " same => n,WaitExten(5)",
        " same => n(closed),Answer()",
        " same => n,Playback(/s/vm-4)",
        " same => n,Set(UZOR_VOICEMAIL=@UZOR_VOICEMAIL_DIR@/office/"
        "${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${FILTER(0-9,${CALLERID(num)})}-${UNIQUEID})",
        " same => n,Set(CHANNEL(hangup_handler_push)=uzor-voicemail-upload,s,1)",
        " same => n,Record(${UZOR_VOICEMAIL}.wav,5,60,k)",
        " same => n,Hangup()",
        "exten => 1,1,Set(__CUSTOMER=vip)",
        " same => n,Read(DIGIT,/s/menu-2,1,,2,5)",
        " same => n,Queue(sales,t,,,120,,uzor-record-member)",
        " same => n,Dial(Local/+74951234567@uzor-flow-dial,30)",
        " same => n,Dial(PJSIP/1001)",
        "exten => t,1,Set(UZOR_STEPS=$[0${UZOR_STEPS} + 1])",
        " same => n,ExecIf($[${UZOR_STEPS} > 100]?Hangup())",
        " same => n,GotoIf($[${TRIES} < 3]?s,menu:s,closed)",
    ]


def test_a_stored_text_that_no_longer_checks_stops_the_render_with_its_line():
    with pytest.raises(
        RenderError, match=r"topic 1: call flow: line 2: there is no sound named gone"
    ):
        compile_text_flow(
            dialplan_flow("exten => s,1,Answer()\n same => n,Playback(gone)\n"), CTX, "topic 1"
        )
    with pytest.raises(RenderError, match="not a dialplan text flow"):
        compile_text_flow({"dialplan": "exten => s,1,Answer()", "extra": 1}, CTX, "topic 1")


COMPILED_LINE = re.compile(
    r"^(?:exten => (?:s|i|t|_?[0-9A-Z*#+.!\[\]-]+),1|\s?same => n)(?:\([A-Za-z0-9_]+\))?,"
    r"(?P<app>[A-Za-z]+)\((?P<args>[^;\n\r\\]*)\)$"
)
COMPILED_APPS = {
    "Answer",
    "Ringing",
    "Progress",
    "Wait",
    "NoOp",
    "Playback",
    "Background",
    "WaitExten",
    "Read",
    "Queue",
    "Dial",
    "Set",
    "Goto",
    "GotoIf",
    "Hangup",
    "ExecIf",
    "Gosub",
    "Record",
}
STARTS = [
    "exten => s,1,",
    "exten => 1,1,",
    "exten => _X.,1,",
    " same => n,",
    " same => n(a),",
    "[ctx]",
    "#include x",
    "include => x",
    "",
]
BODIES = [
    "Answer()",
    "Playback(hello)",
    "Playback(/etc/passwd)",
    "System(id)",
    "Dial(PJSIP/1001)",
    "Dial(PJSIP/1001&PJSIP/9)",
    "Dial(Local/1@uzor-routes)",
    "Set(A=${SHELL(id)})",
    "Set(A=x)",
    "Set(UZOR_X=1)",
    "GotoIf($[${A} = 1]?a)",
    "Goto(a)",
    "Goto(x,y,1)",
    "NoOp(${CALLERID(num)})",
    "Queue(sales,t)",
    "VoiceMail(office)",
    "GotoIfClosed(night?a)",
]
JUNK = ["", ";", ",", "(", ")", "\\", "$", "{", "}", "&", "\r", "\u2028", "\x0b", " x", "1"]
# mostly well-formed lines (so that many texts pass), with every kind of junk among them
LINES = st.tuples(
    st.sampled_from([" same => n,"] * 12 + STARTS),
    st.sampled_from(["Answer()", "Set(A=x)", "Goto(a)", "Queue(sales,t)"] * 4 + BODIES),
    st.sampled_from([""] * 30 + JUNK),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=5))
def test_whatever_passes_the_checks_compiles_only_to_allowed_applications(lines_drawn):
    """Any text: refused, or compiled to lines of the allowed applications with no comment,
    line break, backslash or context header smuggled through."""
    text = "exten => s,1(a),Answer()\n" + "\n".join(a + b + c for a, b, c in lines_drawn)
    try:
        lines = compile_text_flow(dialplan_flow(text), CTX, "t")
        event("compiled")
    except RenderError:
        return
    for line in lines:
        match = COMPILED_LINE.match(line)
        assert match, line
        assert match["app"] in COMPILED_APPS, line
        if match["app"] == "Dial":
            assert re.fullmatch(
                r"(PJSIP/1001|Local/[0-9*#+]+@uzor-flow-dial)(,\d+)?", match["args"]
            )
