"""AMI ingest benchmark: events/s through parser + dispatch on one core.

Side by side on the same bytes (a recorded Asterisk 22 call-center stream, fed in 64 KiB chunks
as a socket read would deliver them, after the banner line):

- ``agency``: the daemon's ingest path, ``appliance.ami``'s AMIProtocol.data_received, with
  the operator service's subscriptions plus a catch-all handler, so *every* message is parsed
  into a dict and every event dispatched: the like-for-like figure, compared with the two below
  and held to the targets;
- ``minimal``: the baseline, a deliberately minimal reference parser written here and kept
  here on purpose (split on CRLF, a dict per message; it ignores repeated headers, lines
  without ": " and split characters, so it is not the product's codec and must not become
  one), the simple-Python limit;
- ``panoramisk``: panoramisk 1.4's AMIProtocol.data_received (its parser and message routing)
  with a counting dispatch (install with ``pip install -e '.[bench]'``);
- ``agency-lazy``: the daemon as it runs, with only the operator service's subscriptions: every
  event is counted but only the subscribed ones are parsed into dicts. Shown for information;
  it is not like-for-like.

Every runner is timed the same way: ``time.perf_counter`` around the loop feeding the chunks
(set-up excluded), one warm-up round, then ``--rounds`` rounds interleaving the runners (in an
order rotating every round) so load drift hits all alike; the median round is reported, with
the range and the warm-up round (where the agency's parser also learns the stream's event
layouts, as the daemon does in its first seconds).

Run: ``.venv/bin/python bench/ami_ingest.py [--stream FILE] [--repeat N] [--rounds R]``.
Targets (issue 6): agency >= 75 % of minimal and >= 2.8x panoramisk.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.ami.dispatch import Dispatcher
from appliance.ami.protocol import AMIProtocol

STREAM = Path(__file__).parent / "data" / "ami-callcenter.bin.gz"
CHUNK = 65536
BANNER = b"Asterisk Call Manager/9.0.0\r\n"
SERVICE_EVENTS = (
    "AgentCalled",
    "AgentConnect",
    "AgentComplete",
    "AgentRingNoAnswer",
    "QueueMemberStatus",
    "QueueMemberPause",
    "QueueMemberAdded",
    "QueueMemberRemoved",
    "DialBegin",
    "DialEnd",
    "BridgeEnter",
    "BridgeLeave",
    "Hold",
    "Unhold",
    "Hangup",
    "Newchannel",
    "QueueCallerJoin",
    "QueueCallerLeave",
    "QueueCallerAbandon",
    "OriginateResponse",
)

Runner = Callable[[list[bytes]], tuple[int, float]]


def chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def timed_feed(feed: Callable[[bytes], Any], parts: list[bytes]) -> float:
    """Seconds to feed every chunk: the one timing method of every runner."""
    started = time.perf_counter()
    for part in parts:
        feed(part)
    return time.perf_counter() - started


def _handler(_message: dict[str, str]) -> None:
    return None


def agency_runner(catch_all: bool) -> Runner:
    def run(parts: list[bytes]) -> tuple[int, float]:
        async def main() -> tuple[int, float]:
            dispatcher = Dispatcher()
            for name in SERVICE_EVENTS:
                dispatcher.subscribe(name, _handler)
            if catch_all:
                dispatcher.subscribe(None, _handler)
            protocol = AMIProtocol(dispatcher)
            protocol.data_received(BANNER)
            seconds = timed_feed(protocol.data_received, parts)
            return protocol.events_received, seconds

        return asyncio.run(main())

    return run


def run_minimal(parts: list[bytes]) -> tuple[int, float]:
    # The baseline: a deliberately minimal reference parser, NOT appliance.ami.codec. It stays
    # here, this simple, so the codec is measured against the plain-Python limit.
    seen = 0
    rest = b""

    def feed(part: bytes) -> None:
        nonlocal rest, seen
        blocks = (rest + part).split(b"\r\n\r\n")
        rest = blocks.pop()
        for block in blocks:
            message = {}
            for line in block.decode("utf-8", "replace").split("\r\n"):
                key, _, value = line.partition(": ")
                message[key] = value
            if "Event" in message:
                seen += 1

    feed(BANNER)
    seconds = timed_feed(feed, parts)
    return seen, seconds


class _Transport:
    def write(self, _data: bytes) -> None:
        return None

    def close(self) -> None:
        return None


class _Factory:
    save_stream = None

    def __init__(self) -> None:
        self.seen = 0

    def dispatch(self, _event: Any) -> None:
        self.seen += 1


def run_panoramisk(parts: list[bytes]) -> tuple[int, float]:
    try:
        from panoramisk.ami_protocol import AMIProtocol as PanoramiskProtocol
    except ImportError:
        raise SystemExit("panoramisk is missing: .venv/bin/pip install -e '.[bench]'") from None

    protocol = PanoramiskProtocol()
    protocol.connection_made(_Transport())
    factory = _Factory()
    protocol.factory = factory
    protocol.data_received(BANNER)
    seconds = timed_feed(protocol.data_received, parts)
    return factory.seen, seconds


def measure(
    runners: dict[str, Runner], parts: list[bytes], rounds: int
) -> dict[str, tuple[int, list[float]]]:
    """Every runner's event count and round times, the warm-up round's first."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    events: dict[str, int] = {}
    names = list(runners)
    for round_number in range(rounds + 1):
        shift = round_number % len(names)  # no runner always follows the same one
        for name in names[shift:] + names[:shift]:
            gc.collect()
            seen, seconds = runners[name](parts)
            if events.setdefault(name, seen) != seen:
                raise SystemExit(f"{name}: {seen} events, {events[name]} in an earlier round")
            times[name].append(seconds)
    return {name: (events[name], times[name]) for name in runners}


def load_stream(path: Path, repeat: int) -> bytes:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data * repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", type=Path, default=STREAM)
    parser.add_argument("--repeat", type=int, default=1, help="concatenate the stream N times")
    parser.add_argument("--rounds", type=int, default=11, help="median of R rounds per runner")
    args = parser.parse_args()
    data = load_stream(args.stream, args.repeat)
    parts = chunks(data)
    print(f"stream: {args.stream.name} x{args.repeat}: {len(data) / 1e6:.1f} MB")
    print("agency = appliance.ami (codec + protocol + dispatch); minimal = the baseline, a")
    print("deliberately minimal reference parser kept in this file (not the product's codec)")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    runners: dict[str, Runner] = {
        "agency": agency_runner(catch_all=True),
        "minimal": run_minimal,
        "panoramisk": run_panoramisk,
        "agency-lazy": agency_runner(catch_all=False),
    }
    rate: dict[str, float] = {}
    results = measure(runners, parts, args.rounds)
    counts = {events for events, _ in results.values()}
    if len(counts) != 1:
        raise SystemExit(f"the runners saw different event counts: {results}")
    for name, (events, (warm_up, *times)) in results.items():
        rate[name] = events / statistics.median(times)
        print(
            f"{name:>11}: {events} events, median {statistics.median(times):.4f} s"
            f" = {rate[name]:,.0f} events/s"
            f" (range {events / max(times):,.0f}-{events / min(times):,.0f};"
            f" warm-up round {events / warm_up:,.0f})"
        )
    print(f"agency / minimal    = {rate['agency'] / rate['minimal']:.0%} (target >= 75%)")
    print(f"agency / panoramisk = {rate['agency'] / rate['panoramisk']:.2f}x (target >= 2.8x)")
    print(
        f"(not like-for-like) agency-lazy / panoramisk = "
        f"{rate['agency-lazy'] / rate['panoramisk']:.2f}x"
    )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
