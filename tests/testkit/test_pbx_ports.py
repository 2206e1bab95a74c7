"""The test units' ports: an RTP range of the size asked for, never overlapping another unit's
of the same process (RTP binds every address: overlapping ranges would share one pool)."""

from __future__ import annotations

import itertools

import pytest

from testkit import pbx_ports
from testkit.pbx_ports import RTP_PORTS_PER_UNIT, allocate_ports, release_rtp_range


def test_a_unit_gets_the_rtp_range_it_asks_for_even_aligned() -> None:
    default, large = allocate_ports(), allocate_ports(2000)
    try:
        assert default.rtp_end - default.rtp_start + 1 == RTP_PORTS_PER_UNIT
        assert large.rtp_end - large.rtp_start + 1 == 2000
        assert large.rtp_start % 2 == 0
    finally:
        release_rtp_range(default)
        release_rtp_range(large)


def test_the_ranges_of_one_process_never_overlap() -> None:
    given = [allocate_ports(1000) for _ in range(8)]  # 8,000 of the 20,000 ports
    try:
        ranges = sorted((p.rtp_start, p.rtp_end) for p in given)
        for (_, end), (start, _) in itertools.pairwise(ranges):
            assert end < start
    finally:
        for ports in given:
            release_rtp_range(ports)


def test_a_range_is_given_again_only_once_released(monkeypatch: pytest.MonkeyPatch) -> None:
    first = allocate_ports(400)
    monkeypatch.setattr(pbx_ports.random, "randrange", lambda *_: first.rtp_start)
    try:
        elsewhere = allocate_ports(400)  # the same place is still the first unit's: a gap
        release_rtp_range(elsewhere)
    finally:
        release_rtp_range(first)
    again = allocate_ports(400)
    release_rtp_range(again)

    assert elsewhere.rtp_start > first.rtp_end or elsewhere.rtp_end < first.rtp_start
    assert (again.rtp_start, again.rtp_end) == (first.rtp_start, first.rtp_end)


def test_large_ranges_are_packed_so_that_several_fit() -> None:
    given = [allocate_ports(4000) for _ in range(4)]  # 16,000 of the 20,000 ports
    for ports in given:
        release_rtp_range(ports)
    assert len({(p.rtp_start, p.rtp_end) for p in given}) == 4


def test_a_range_larger_than_the_ports_there_are_is_refused() -> None:
    with pytest.raises(ValueError, match="RTP range"):
        allocate_ports(40000)
