"""Edge cases of the AMI parser's fast and careful paths, and of reads split anywhere."""

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.ami import codec
from appliance.ami.codec import AMIParser, Message, parse_message, values
from appliance.ami.dispatch import Dispatcher

FOLLOWS = (
    b"Response: Follows\r\nPrivilege: Command\r\nActionID: a-1\r\n"
    b"Name/username             Host\r\n2 sip peers [Monitored: 0 online]\r\n"
    b"--END COMMAND--\r\n\r\n"
)
OUTPUT = (
    b"Response: Success\r\nActionID: a-2\r\nMessage: Command output follows\r\n"
    b"Output: Channel              Location\r\nOutput: \r\nOutput: 1 active call\r\n\r\n"
)
CHANVARS = (
    b"Event: Newstate\r\nChannel: PJSIP/101-00000002\r\nChanVariable: UZOR_TOPIC=2\r\n"
    b"ChanVariable: UZOR_HIDDEN=0\r\nUniqueid: 1764140000.2\r\n\r\n"
)
CYRILLIC = "Event: Newchannel\r\nCallerIDName: Иван Петров\r\nExten: 100\r\n\r\n".encode()
BROKEN_UTF8 = b"Event: Newchannel\r\nCallerIDName: \xd0\r\nExten: \xff101\r\n\r\n"
# The old count-based check took this for {"": "Event", "Newexten": "AppData", ...}.
EXTRA_CRLF = b"\r\nEvent: Newexten\r\nAppData: Playback(a: b)\r\n\r\n"
EMPTY_NO_SPACE = b"Event: VarSet\r\nVariable: X\r\nValue:\r\nAppData: e: f\r\n\r\n"
STREAM = FOLLOWS + OUTPUT + CHANVARS + CYRILLIC + BROKEN_UTF8 + EXTRA_CRLF + EMPTY_NO_SPACE
EXPECTED = [
    {  # a body line with a colon reads as a header, by the rule in the parser's docstring
        "Response": "Follows",
        "Privilege": "Command",
        "ActionID": "a-1",
        "2 sip peers [Monitored": "0 online]",
    },
    {
        "Response": "Success",
        "ActionID": "a-2",
        "Message": "Command output follows",
        "Output": "Channel              Location\n\n1 active call",
    },
    {
        "Event": "Newstate",
        "Channel": "PJSIP/101-00000002",
        "ChanVariable": "UZOR_TOPIC=2\nUZOR_HIDDEN=0",
        "Uniqueid": "1764140000.2",
    },
    {"Event": "Newchannel", "CallerIDName": "Иван Петров", "Exten": "100"},
    {"Event": "Newchannel", "CallerIDName": "\ufffd", "Exten": "\ufffd101"},
    {"Event": "Newexten", "AppData": "Playback(a: b)"},
    {"Event": "VarSet", "Variable": "X", "Value": "", "AppData": "e: f"},
]


def test_a_stream_of_edge_cases_in_one_read() -> None:
    parser = AMIParser()
    assert parser.feed(STREAM) == EXPECTED
    assert parser.pending == 0


def test_a_read_split_at_every_byte_gives_the_same_messages() -> None:
    for cut in range(len(STREAM) + 1):
        parser = AMIParser()
        got = parser.feed(STREAM[:cut]) + parser.feed(STREAM[cut:])
        assert got == EXPECTED, cut
        assert parser.pending == 0


def test_one_byte_reads_decode_a_character_split_between_them() -> None:
    parser = AMIParser()
    got = [message for i in range(len(CYRILLIC)) for message in parser.feed(CYRILLIC[i : i + 1])]
    assert got == [{"Event": "Newchannel", "CallerIDName": "Иван Петров", "Exten": "100"}]


def test_raw_blocks_parse_to_the_same_messages_at_every_split() -> None:
    for cut in range(0, len(STREAM) + 1, 7):
        parser = AMIParser()
        blocks = parser.feed_raw(STREAM[:cut]) + parser.feed_raw(STREAM[cut:])
        assert [m for m in map(parse_message, blocks) if m] == EXPECTED, cut


def test_repeated_headers_keep_their_order() -> None:
    [message] = AMIParser().feed(CHANVARS)
    assert values(message, "ChanVariable") == ["UZOR_TOPIC=2", "UZOR_HIDDEN=0"]
    [output] = AMIParser().feed(OUTPUT)
    assert values(output, "Output") == ["Channel              Location", "", "1 active call"]


def test_a_line_without_colon_does_not_shift_a_value_holding_colon_space() -> None:
    # Counting ": " against lines cannot see this: one line has none, another has two.
    assert parse_message("Event: X\r\nA: p: q\r\nFoo\r\nC: z") == {
        "Event": "X",
        "A": "p: q",
        "C": "z",
    }
    assert parse_message("\r\nEvent: X\r\nA: p: q") == {"Event": "X", "A": "p: q"}


def test_a_key_ends_at_the_first_colon_space_else_at_the_first_colon() -> None:
    assert parse_message("Event: X\r\nA:b: c") == {"Event": "X", "A:b": "c"}
    assert parse_message("Event: X\r\nA:b:c\r\nD:") == {"Event": "X", "A": "b:c", "D": ""}
    assert parse_message("Event: X\r\nA:  two spaces") == {"Event": "X", "A": " two spaces"}


def reference(block: str) -> Message:
    """The documented rule, one line at a time."""
    message: Message = {}
    for line in block.split("\r\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
        if sep:
            message[key] = f"{message[key]}\n{value}" if key in message else value
    return message


key_st = st.sampled_from(["Event", "Channel", "Value", "AppData", "Output", "ChanVariable"])
text_st = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12
)
line_st = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", key_st, text_st),  # the usual line, maybe with ": "
    st.builds(lambda k, v: f"{k}: {v}: {v}", key_st, text_st),
    st.builds(lambda k: f"{k}:", key_st),
    st.just(""),
    st.just("--END COMMAND--"),
    text_st,
)


@given(st.lists(line_st, min_size=1, max_size=10))
def test_any_lines_parse_like_the_rule(lines: list[str]) -> None:
    block = "\r\n".join(lines)
    assert parse_message(block) == reference(block)


def test_a_catch_all_handler_gets_every_event_parsed_and_failures_are_contained(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[Message] = []

    def broken(_message: Message) -> None:
        raise RuntimeError("handler bug")

    dispatcher = Dispatcher()
    dispatcher.subscribe("Newchannel", broken)
    dispatcher.subscribe(None, got.append)
    with caplog.at_level(logging.ERROR):
        seen = dispatcher.dispatch_raw(AMIParser().feed_raw(STREAM))
    events = [m for m in EXPECTED if "Event" in m]
    assert seen == len(events)
    assert got == events
    assert "AMI event handler failed on Newchannel" in caplog.text


@pytest.fixture
def fresh_layouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty layout memory, so other tests' layouts neither help nor fill it."""
    monkeypatch.setattr(codec, "_SHAPES", {})
    monkeypatch.setattr(codec, "_learned", [])


@pytest.mark.usefixtures("fresh_layouts")
def test_a_layout_seen_before_parses_alike_and_shares_its_key_strings() -> None:
    block = "Event: VarSet\r\nChannel: PJSIP/a-1\r\nVariable: X\r\nValue: \r\nAppData: a: b"
    first, second, third = (parse_message(block) for _ in range(3))
    expected = {"Event": "VarSet", "Channel": "PJSIP/a-1", "Variable": "X", "Value": ""}
    assert first == second == third == {**expected, "AppData": "a: b"}
    assert list(first) == list(second) == ["Event", "Channel", "Variable", "Value", "AppData"]
    assert all(a is b for a, b in zip(second, third, strict=True))


@pytest.mark.usefixtures("fresh_layouts")
def test_a_known_layout_with_a_lone_lf_or_cr_in_a_value_parses_like_any_other() -> None:
    parse_message("Event: X\r\nA: 1\r\nB: 2")
    assert parse_message("Event: X\r\nA: x\ny\r\nB: 2") == {"Event": "X", "A": "x\ny", "B": "2"}
    assert parse_message("Event: X\r\nA: x\r\r\nB: \r") == {"Event": "X", "A": "x\r", "B": "\r"}
    assert parse_message("Event: X\r\nA: 1\r\nB: 2\r\nC: 3") == {
        "Event": "X",
        "A": "1",
        "B": "2",
        "C": "3",
    }
    assert parse_message("Event: X\r\nA: 1") == {"Event": "X", "A": "1"}
    assert parse_message("Event: X\r\nA: 1\r\nB:") == {"Event": "X", "A": "1", "B": ""}


@pytest.mark.usefixtures("fresh_layouts")
def test_a_known_layout_with_repeated_headers_joins_them() -> None:
    for _ in range(2):
        [message] = AMIParser().feed(CHANVARS)
        assert values(message, "ChanVariable") == ["UZOR_TOPIC=2", "UZOR_HIDDEN=0"]


@pytest.mark.usefixtures("fresh_layouts")
def test_keys_with_pattern_characters_and_many_layouts_of_one_event() -> None:
    blocks = [f"Event: UserEvent\r\nA.b(c)*{n}: {n}+?\r\n[x]|{n}: ^$" for n in range(12)]
    for _ in range(2):
        for n, block in enumerate(blocks):
            assert parse_message(block) == {
                "Event": "UserEvent",
                f"A.b(c)*{n}": f"{n}+?",
                f"[x]|{n}": "^$",
            }
    assert len(codec._learned) == codec._SHAPES_PER_FIRST_LINE


@pytest.mark.usefixtures("fresh_layouts")
def test_only_events_layouts_are_remembered() -> None:
    for _ in range(2):
        assert parse_message("Response: Success\r\nActionID: 1") == {
            "Response": "Success",
            "ActionID": "1",
        }
    assert codec._learned == []


@pytest.mark.usefixtures("fresh_layouts")
def test_a_long_event_parses_but_its_layout_is_not_remembered() -> None:
    lines = [f"ChanVariable: V{n}={n}" for n in range(codec._MAX_SHAPE_LINES)]
    block = "\r\n".join(["Event: Newchannel", *lines])
    for _ in range(2):
        message = parse_message(block)
        assert values(message, "ChanVariable") == [f"V{n}={n}" for n in range(len(lines))]
    assert codec._learned == []


layout_key_st = st.one_of(
    key_st,
    st.text("ABCxyz019_-.:()[]*+?\\$^|{}\r\n ", min_size=0, max_size=6),
).filter(lambda key: ": " not in key and "\r\n" not in key)
layout_value_st = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10).filter(
    lambda value: "\r\n" not in value and not value.startswith("\n")
)


@given(text_st, st.lists(st.tuples(layout_key_st, layout_value_st), min_size=1, max_size=8))
def test_a_remembered_layout_reads_any_message_like_the_rule(
    name: str, pairs: list[tuple[str, str]]
) -> None:
    block = "\r\n".join([f"Event: {name}", *(f"{key}: {value}" for key, value in pairs)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "_SHAPES", {})
        patch.setattr(codec, "_learned", [])
        for _ in range(3):  # the first reading may remember the layout, the others use it
            assert parse_message(block) == reference(block)
