"""AMI ingest benchmark: events/s through parser + dispatch on one core.

Side by side on the same bytes (a recorded Asterisk 22 call-center stream, fed in 64 KiB chunks
as a socket read would deliver them):

- ``agency``: the daemon's ingest path, AMIProtocol.data_received: split into messages, every
  event counted, the events the operator service subscribes to parsed into dicts and dispatched
  (the others are never turned into dicts);
- ``agency-full``: the same parser turning *every* message into a dict (AMIParser.feed), then
  the same dispatch: the like-for-like comparison with the two below;
- ``minimal``: a plain split-on-CRLF parser written here, the simple-Python limit;
- ``panoramisk``: panoramisk 1.4's AMIProtocol.data_received (its parser and message routing)
  with a counting dispatch (install with ``pip install -e '.[bench]'``).

Run: ``.venv/bin/python bench/ami_ingest.py [--stream FILE] [--repeat N] [--rounds R]``.
Targets (issue 6): agency >= 75 % of minimal and >= 2.8x panoramisk.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.agency.ami.dispatch import Dispatcher
from appliance.agency.ami.parser import AMIParser
from appliance.agency.ami.protocol import AMIProtocol

STREAM = Path(__file__).parent / "data" / "ami-callcenter.bin.gz"
CHUNK = 65536
SERVICE_EVENTS = (
    "AgentCalled", "AgentConnect", "AgentComplete", "AgentRingNoAnswer", "QueueMemberStatus",
    "QueueMemberPause", "QueueMemberAdded", "QueueMemberRemoved", "DialBegin", "DialEnd",
    "BridgeEnter", "BridgeLeave", "Hold", "Unhold", "Hangup", "Newchannel", "QueueCallerJoin",
    "QueueCallerLeave", "QueueCallerAbandon", "OriginateResponse",
)  # fmt: skip


def chunks(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def run_agency(parts: list[bytes]) -> int:
    seen = [0]

    def handler(_message: dict[str, str]) -> None:
        return None

    async def main() -> None:
        dispatcher = Dispatcher()
        for name in SERVICE_EVENTS:
            dispatcher.subscribe(name, handler)
        protocol = AMIProtocol(dispatcher)
        protocol.data_received(b"Asterisk Call Manager/9.0.0\r\n")
        for part in parts:
            protocol.data_received(part)
        seen[0] = protocol.events_received

    asyncio.run(main())
    return seen[0]


def run_agency_full(parts: list[bytes]) -> int:
    """Every message parsed into a dict (AMIParser.feed), then dispatched."""
    parser = AMIParser()
    dispatcher = Dispatcher()
    for name in SERVICE_EVENTS:
        dispatcher.subscribe(name, lambda _message: None)
    seen = 0
    for part in parts:
        seen += dispatcher.dispatch_all(parser.feed(part))
    return seen


def run_minimal(parts: list[bytes]) -> int:
    seen = 0
    rest = b""
    for part in parts:
        blocks = (rest + part).split(b"\r\n\r\n")
        rest = blocks.pop()
        for block in blocks:
            message = {}
            for line in block.decode("utf-8", "replace").split("\r\n"):
                key, _, value = line.partition(": ")
                message[key] = value
            if "Event" in message:
                seen += 1
    return seen


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


def run_panoramisk(parts: list[bytes]) -> int:
    try:
        from panoramisk.ami_protocol import AMIProtocol as PanoramiskProtocol
    except ImportError:
        raise SystemExit("panoramisk is missing: .venv/bin/pip install -e '.[bench]'") from None

    protocol = PanoramiskProtocol()
    protocol.connection_made(_Transport())
    factory = _Factory()
    protocol.factory = factory
    protocol.data_received(b"Asterisk Call Manager/9.0.0\r\n")
    for part in parts:
        protocol.data_received(part)
    return factory.seen


def measure(
    runners: dict[str, Callable[[list[bytes]], int]], parts: list[bytes], rounds: int
) -> dict[str, tuple[int, float]]:
    """Best time of each runner; rounds interleave the runners so load drift hits all alike."""
    best = {name: (0, float("inf")) for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            gc.collect()
            started = time.perf_counter()
            events = run(parts)
            elapsed = time.perf_counter() - started
            if elapsed < best[name][1]:
                best[name] = (events, elapsed)
    return best


def load_stream(path: Path, repeat: int) -> bytes:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data * repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", type=Path, default=STREAM)
    parser.add_argument("--repeat", type=int, default=1, help="concatenate the stream N times")
    parser.add_argument("--rounds", type=int, default=9, help="best of R runs per parser")
    args = parser.parse_args()
    data = load_stream(args.stream, args.repeat)
    parts = chunks(data)
    print(f"stream: {args.stream.name} x{args.repeat}: {len(data) / 1e6:.1f} MB")
    results: dict[str, float] = {}
    runners = {
        "agency": run_agency,
        "agency-full": run_agency_full,
        "minimal": run_minimal,
        "panoramisk": run_panoramisk,
    }
    for name, (events, seconds) in measure(runners, parts, args.rounds).items():
        results[name] = events / seconds
        print(f"{name:>11}: {events} events in {seconds:.3f} s = {results[name]:,.0f} events/s")
    for name in ("agency", "agency-full"):
        agency = results[name]
        print(f"{name} / minimal    = {agency / results['minimal']:.0%} (target >= 75%)")
        print(f"{name} / panoramisk = {agency / results['panoramisk']:.2f}x (target >= 2.8x)")


if __name__ == "__main__":
    main()
