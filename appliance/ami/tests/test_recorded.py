"""The parser on real Asterisk 22 traffic (recorded by bench/record_ami_stream.py, trimmed)."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.ami.codec import AMIParser, values
from appliance.ami.dispatch import Dispatcher

RECORDED = (Path(__file__).parent / "data" / "callcenter-trimmed.ami").read_bytes()


def reference(data: bytes) -> list[dict[str, str]]:
    """A slow, obvious parse of the same bytes."""
    messages = []
    for block in data.decode().split("\r\n\r\n"):
        message: dict[str, str] = {}
        for line in block.split("\r\n"):
            if line:
                key, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                message[key] = f"{message[key]}\n{value}" if key in message else value
        if message:
            messages.append(message)
    return messages


def test_it_parses_the_recording_like_the_reference() -> None:
    messages = AMIParser().feed(RECORDED)
    assert messages == reference(RECORDED)
    assert len(messages) == 453


def test_it_keeps_empty_values_and_repeated_headers_of_real_traffic() -> None:
    messages = AMIParser().feed(RECORDED)
    empty = [m for m in messages if m.get("Event") == "VarSet" and m["Value"] == ""]
    assert empty, "the recording has VarSet events with an empty Value"
    test_events = [m for m in messages if m.get("Event") == "TestEvent"]
    assert any(len(values(m, "State")) == 2 for m in test_events)
    assert all(m["AccountCode"] == "" for m in messages if m.get("Event") == "Newchannel")


def test_queue_events_carry_what_the_agency_correlates() -> None:
    messages = AMIParser().feed(RECORDED)
    called = next(m for m in messages if m.get("Event") == "AgentCalled")
    for key in ("Queue", "Interface", "MemberName", "DestChannel", "Linkedid", "CallerIDNum"):
        assert called[key], key
    connect = next(m for m in messages if m.get("Event") == "AgentConnect")
    assert connect["Linkedid"] == called["Linkedid"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4096), min_size=1, max_size=200))
def test_any_chunking_gives_the_same_messages(sizes: list[int]) -> None:
    parser = AMIParser()
    got = []
    offset = 0
    for size in sizes * (len(RECORDED) // sum(sizes) + 1):
        got.extend(parser.feed(RECORDED[offset : offset + size]))
        offset += size
        if offset >= len(RECORDED):
            break
    assert got == reference(RECORDED)


def test_raw_dispatch_counts_every_event_and_parses_subscribed_ones_alike() -> None:
    dispatcher = Dispatcher()
    got: list[dict[str, str]] = []
    dispatcher.subscribe("AgentConnect", got.append)
    dispatcher.subscribe("VarSet", got.append)
    seen = dispatcher.dispatch_raw(AMIParser().feed_raw(RECORDED))
    expected = [m for m in reference(RECORDED) if m.get("Event") in ("AgentConnect", "VarSet")]
    assert got == expected
    assert seen == sum(1 for m in reference(RECORDED) if "Event" in m)
