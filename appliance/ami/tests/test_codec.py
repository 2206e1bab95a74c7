from hypothesis import given
from hypothesis import strategies as st

from appliance.ami.codec import AMIParser, encode_action, parse_block, values

VARSET = (
    b"Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: PJSIP/carrier-00000001\r\n"
    b"ChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: 79161234567\r\n"
    b"Uniqueid: 1764140000.12\r\nLinkedid: 1764140000.12\r\nVariable: QUEUENAME\r\n"
    b"Value: \r\n\r\n"
)
NEWEXTEN_EMPTY_APPDATA = (
    b"Event: Newexten\r\nChannel: PJSIP/carrier-00000001\r\nExtension: 100\r\n"
    b"Application: Answer\r\nAppData:\r\n\r\n"
)


def test_it_parses_one_event_with_an_empty_value() -> None:
    [message] = AMIParser().feed(VARSET)
    assert message["Event"] == "VarSet"
    assert message["Variable"] == "QUEUENAME"
    assert message["Value"] == ""


def test_it_keeps_a_header_without_space_after_the_colon() -> None:
    [message] = AMIParser().feed(NEWEXTEN_EMPTY_APPDATA)
    assert message["AppData"] == ""
    assert message["Application"] == "Answer"
    assert "AppData:" not in message


def test_it_accepts_an_extra_crlf_between_messages() -> None:
    data = VARSET + b"\r\n" + VARSET + b"\r\n\r\n" + NEWEXTEN_EMPTY_APPDATA
    messages = AMIParser().feed(data)
    assert [m["Event"] for m in messages] == ["VarSet", "VarSet", "Newexten"]


def test_it_waits_for_the_end_of_a_split_message() -> None:
    parser = AMIParser()
    data = VARSET + NEWEXTEN_EMPTY_APPDATA
    got = []
    for i in range(len(data)):
        got.extend(parser.feed(data[i : i + 1]))
    assert [m["Event"] for m in got] == ["VarSet", "Newexten"]
    assert got[0]["Value"] == "" and got[1]["AppData"] == ""
    assert parser.pending == 0


def test_it_joins_repeated_headers_in_order() -> None:
    data = (
        b"Response: Success\r\nActionID: a-1\r\nMessage: Command output follows\r\n"
        b"Output: Name/username   Host\r\nOutput: \r\nOutput: 2 sip peers\r\n\r\n"
    )
    [message] = AMIParser().feed(data)
    assert values(message, "Output") == ["Name/username   Host", "", "2 sip peers"]
    assert values(message, "Absent") == []


def test_it_keeps_colons_inside_values() -> None:
    data = b"Event: Newexten\r\nAppData: SIP/a,30,tT:x\r\nExtension: s\r\nData: a: b:\r\n\r\n"
    [message] = AMIParser().feed(data)
    assert message["AppData"] == "SIP/a,30,tT:x"
    assert message["Data"] == "a: b:"


def test_it_replaces_undecodable_bytes() -> None:
    [message] = AMIParser().feed(b"Event: Newchannel\r\nCallerIDName: \xff\xfeX\r\n\r\n")
    assert message["CallerIDName"].endswith("X")


def test_it_skips_blank_runs() -> None:
    assert parse_block("\r\n\r\n\r\n") == []


def test_encode_action_refuses_header_injection() -> None:
    assert encode_action({"Action": "Ping"}) == b"Action: Ping\r\n\r\n"
    try:
        encode_action({"Action": "Ping\r\nAction: Originate"})
    except ValueError as exc:
        assert "line break" in str(exc)
    else:
        raise AssertionError("injection accepted")


header_key = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12
)
header_value = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20
)
message_st = st.dictionaries(header_key, header_value, min_size=1, max_size=8)


@given(st.lists(message_st, min_size=1, max_size=5), st.integers(1, 50))
def test_it_round_trips_any_messages_in_any_chunks(
    messages: list[dict[str, str]], size: int
) -> None:
    data = b"".join(encode_action(m) for m in messages)
    parser = AMIParser()
    got = []
    for i in range(0, len(data), size):
        got.extend(parser.feed(data[i : i + size]))
    assert got == messages


def test_a_colon_in_one_value_does_not_hide_an_empty_value_without_space() -> None:
    data = b"Event: X\r\nA: x: y\r\nB:\r\n\r\nEvent: Y\r\nA: p: q\r\nB:\r\nC: z\r\n\r\n"
    first, second = AMIParser().feed(data)
    assert first == {"Event": "X", "A": "x: y", "B": ""}
    assert second == {"Event": "Y", "A": "p: q", "B": "", "C": "z"}


def test_dispatch_raw_parses_only_subscribed_events_but_counts_all() -> None:
    from appliance.ami.dispatch import Dispatcher

    seen: list[dict[str, str]] = []
    dispatcher = Dispatcher()
    dispatcher.subscribe("Newexten", seen.append)
    data = VARSET + b"\r\n" + NEWEXTEN_EMPTY_APPDATA + b"Response: Success\r\nActionID: x\r\n\r\n"
    blocks = AMIParser().feed_raw(data)
    assert dispatcher.dispatch_raw(blocks) == 2
    assert seen == [AMIParser().feed(NEWEXTEN_EMPTY_APPDATA)[0]]
    assert seen[0]["AppData"] == ""
