"""Server ID encoding and the 2-of-3 matching rule (LIC-1, LIC-5)."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pytest

from licensing.errors import MalformedServerId
from licensing.server_id import (
    HardwareFacts,
    collect_facts,
    current_server_id,
    format_server_id,
    parse_server_id,
)
from licensing.tests.conftest import raw_facts


def test_it_round_trips_facts_through_the_server_id() -> None:
    facts = raw_facts()
    text = format_server_id(facts)
    assert text.startswith("1|eN")
    assert parse_server_id(text) == facts


def test_it_carries_salted_hashes_not_raw_values() -> None:
    text = format_server_id(raw_facts(machine_id="0123456789abcdef0123456789abcdef"))
    decoded = zlib.decompress(base64.b64decode(text[2:])).decode()
    assert "0123456789abcdef0123456789abcdef" not in decoded
    assert "52:54:00" not in decoded
    data = json.loads(decoded)
    assert set(data) == {"machine_id", "dmi_uuid", "nics", "hostname"}
    assert data["hostname"] == "pbx1.example"


def test_each_fact_uses_its_own_salt() -> None:
    same_value = "0123456789abcdef0123456789abcdef"
    facts = raw_facts(machine_id=same_value, dmi_uuid=same_value)
    assert facts.machine_id != facts.dmi_uuid


def test_it_reads_this_real_machine() -> None:
    facts = collect_facts()
    if re.fullmatch(r"[0-9a-f]{32}", Path("/etc/machine-id").read_text().strip()):
        assert facts.machine_id is not None
    assert parse_server_id(current_server_id()) == facts
    assert current_server_id() == current_server_id()


def test_it_tolerates_whitespace_and_line_breaks_from_a_paste() -> None:
    text = format_server_id(raw_facts())
    pasted = "  " + text[:30] + "\n" + text[30:] + " \r\n"
    assert parse_server_id(pasted) == raw_facts()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "'1|'"),
        ("eNpVjDEOAiEQAL", "'1|'"),
        ("2|eNpVjDEOAiEQAL", "version 2"),
        ("1|***", "damaged"),
        ("1|" + base64.b64encode(b"not zlib").decode(), "damaged"),
        ("1|" + base64.b64encode(zlib.compress(b"[1,2]")).decode(), "JSON object"),
        ("1|" + base64.b64encode(zlib.compress(b'{"machine_id": null}')).decode(), "exactly"),
        ("1|" + base64.b64encode(zlib.compress(b"\0" * 200_000)).decode(), "too large"),
        ("1|" + base64.b64encode(zlib.compress(b'{"a":1}')[:-3]).decode(), "cut off"),
    ],
)
def test_it_rejects_a_bad_server_id_saying_why(text: str, reason: str) -> None:
    with pytest.raises(MalformedServerId) as caught:
        parse_server_id(text)
    assert reason in str(caught.value)
    assert "1|" in str(caught.value)


def test_control_characters_never_reach_the_hostname() -> None:
    assert raw_facts(hostname="pbx\n1\x1b[31m").hostname == "pbx1[31m"
    data = raw_facts().to_json_dict() | {"hostname": "a\nb"}
    text = "1|" + base64.b64encode(zlib.compress(json.dumps(data).encode())).decode()
    with pytest.raises(MalformedServerId, match="hostname"):
        parse_server_id(text)


def test_it_rejects_facts_that_are_not_hashes() -> None:
    data = raw_facts().to_json_dict() | {"machine_id": "raw-machine-id"}
    text = "1|" + base64.b64encode(zlib.compress(json.dumps(data).encode())).decode()
    with pytest.raises(MalformedServerId, match="machine_id"):
        parse_server_id(text)


def matches(licensed: HardwareFacts, server: HardwareFacts) -> bool:
    return licensed.matches(server)


def test_identical_facts_match() -> None:
    assert matches(raw_facts(), raw_facts())
    assert raw_facts().matching_facts(raw_facts()) == ("machine_id", "dmi_uuid", "nics")


def test_one_nic_changed_among_several_still_matches() -> None:
    changed = raw_facts(macs=("52:54:00:12:34:56", "52:54:00:99:99:99"))
    assert raw_facts().matching_facts(changed) == ("machine_id", "dmi_uuid", "nics")


def test_the_only_nic_replaced_still_matches_on_machine_id_and_dmi() -> None:
    licensed = raw_facts(macs=("52:54:00:12:34:56",))
    replaced = raw_facts(macs=("52:54:00:77:77:77",))
    assert licensed.matching_facts(replaced) == ("machine_id", "dmi_uuid")
    assert matches(licensed, replaced)


def test_dmi_missing_on_both_sides_still_matches_on_machine_id_and_nics() -> None:
    assert matches(raw_facts(dmi_uuid=None), raw_facts(dmi_uuid=None))


def test_dmi_unreadable_on_the_server_still_matches() -> None:
    assert matches(raw_facts(), raw_facts(dmi_uuid=None))


def test_a_reinstalled_os_still_matches_on_dmi_and_nics() -> None:
    assert matches(raw_facts(), raw_facts(machine_id="ffffffffffffffffffffffffffffffff"))


def test_a_different_machine_does_not_match() -> None:
    other = raw_facts(
        machine_id="ffffffffffffffffffffffffffffffff",
        dmi_uuid="11111111-2222-3333-4444-555555555555",
        macs=("00:16:3e:00:00:01",),
        hostname="pbx1.example",
    )
    assert raw_facts().matching_facts(other) == ()
    assert not matches(raw_facts(), other)


def test_a_vm_clone_without_dmi_and_with_new_nics_does_not_match() -> None:
    licensed = raw_facts(dmi_uuid=None)
    clone = raw_facts(dmi_uuid=None, macs=("00:16:3e:00:00:02",))
    assert licensed.matching_facts(clone) == ("machine_id",)
    assert not matches(licensed, clone)


def test_missing_facts_never_match_each_other() -> None:
    empty = HardwareFacts(machine_id=None, dmi_uuid=None, nics=())
    assert empty.matching_facts(empty) == ()


def test_the_hostname_is_never_compared() -> None:
    assert matches(raw_facts(hostname="a"), raw_facts(hostname="b"))
    assert not matches(
        raw_facts(), raw_facts(machine_id=None, dmi_uuid=None, hostname="pbx1.example")
    )
