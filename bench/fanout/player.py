"""The AMI peer of the fan-out benchmark: a player of a recorded Asterisk 22 stream.

It is an AMI server (``python -m bench.fanout.player --port P --stream FILE --terminals N``) the
agency connects to as to a PBX unit. It answers every action with ``Success`` (lists empty:
nothing runs on it), and on the command ``stream RATE SECONDS SENTLOG`` read from its stdin it
sends the recording's events at RATE events/s for SECONDS, the whole recording again and again,
then writes SENTLOG (JSON) and prints ``streamed <events>``.

The recording is a real unit's whole event stream (Newchannel, VarSet, Newexten,
QueueCallerJoin, AgentCalled, DialBegin, Newstate, AgentConnect, BridgeEnter, Hangup,
QueueMemberStatus, ...: about 110 events per queued call), re-addressed as it is sent:

- each recorded call's agent (``Local/101@agents``) becomes the next of the N workplaces in
  turn (``PJSIP/<workplace>``, its operator's agent number as ``MemberName``), so every call
  rings a logged-in operator; an agent's events outside a call go to its latest workplace;
- call, channel and bridge ids get the round's prefix (``r3.``), so a replayed call is new.

SENTLOG maps ``"<terminal> <call id> <frame>"`` to the send time (``time.time()``, just before
the write) of the event that makes the agency send that frame to that terminal: AgentCalled
-> ``call_incoming``, AgentConnect -> ``call_answered``, the first AgentRingNoAnswer or Hangup
of the workplace's channel -> ``call_ended``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from appliance.agency.ami_events import EVENTS
from appliance.ami.codec import AMIParser, encode_action
from bench.fanout.site import agent, workplace

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
RECORDED_AGENT = re.compile(r"Local/(\d+)@agents")
LINKEDID = re.compile(r"^Linkedid: ([^\r\n]*)", re.M)
IDS = re.compile(r"^((?:Dest)?(?:Uniqueid|Linkedid)|BridgeUniqueid): ", re.M)
SKIPPED = frozenset({"FullyBooted", "SuccessfulAuth"})  # the recorder's own login
FRAMES = {
    "AgentCalled": "call_incoming",
    "AgentConnect": "call_answered",
    "AgentRingNoAnswer": "call_ended",
    "Hangup": "call_ended",
}


def recorded_events(path: Path, only: frozenset[str] | None = None) -> list[str]:
    """The recording's event blocks (text without the blank line), the recorder's own left out;
    with ``only``, just the events of those names (as a unit's ``eventfilter`` sends them)."""
    data = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    blocks = []
    for raw in data.split("\r\n\r\n"):
        block = raw.strip("\r\n")
        name = block[7:].split("\r\n", 1)[0]
        if block.startswith("Event: ") and name not in SKIPPED and (only is None or name in only):
            blocks.append(block)
    return blocks


class Readdress:
    """Recorded agents -> the benchmark's workplaces, one call at a time (see the module)."""

    def __init__(self, terminals: int) -> None:
        self.terminals = terminals
        self.turn = 0
        self.calls: dict[tuple[str, str], int] = {}  # (call, recorded agent) -> terminal
        self.latest: dict[str, int] = {}  # recorded agent -> its latest terminal
        self.round = -1

    def _next(self) -> int:
        terminal = self.turn % self.terminals
        self.turn += 1
        return terminal

    def block(self, text: str, round_: int) -> tuple[str, list[tuple[int, str, str]]]:
        """The block for this round, and the frames it makes: (terminal, call id, frame)."""
        if round_ != self.round:
            self.round, self.calls = round_, {}
        found = LINKEDID.search(text)
        call = f"r{round_}.{found.group(1)}" if found else ""
        text = IDS.sub(lambda m: f"{m.group(0)}r{round_}.", text)
        name = text[7:].split("\r\n", 1)[0]
        frames = []
        for recorded in set(RECORDED_AGENT.findall(text)):
            if call:
                terminal = self.calls.get((call, recorded))
                if terminal is None:
                    terminal = self.calls[(call, recorded)] = self._next()
                self.latest[recorded] = terminal
            else:
                terminal = self.latest.get(recorded, -1)
                if terminal < 0:
                    terminal = self.latest[recorded] = self._next()
            number = workplace(terminal)
            text = (
                text.replace(f"Local/{recorded}@agents/n", f"PJSIP/{number}")
                .replace(f"Local/{recorded}@agents-", f"PJSIP/{number}-")
                .replace(f"MemberName: {recorded}\r", f"MemberName: {agent(terminal)}\r")
            )
            if text.endswith(f"MemberName: {recorded}"):
                text = text[: -len(recorded)] + agent(terminal)
            if call and name in FRAMES and self._concerns(name, text, number):
                frames.append((terminal, call, FRAMES[name]))
        return text, frames

    @staticmethod
    def _concerns(name: str, text: str, number: str) -> bool:
        if name == "Hangup":  # the workplace's own channel hangs up, not the caller's
            return f"\r\nChannel: PJSIP/{number}-" in text
        return f"\r\nInterface: PJSIP/{number}" in text or text.endswith(f"PJSIP/{number}")


def replay(blocks: list[str], terminals: int) -> Iterator[tuple[bytes, list[tuple[int, str, str]]]]:
    """The recording re-addressed, round after round, without end."""
    readdress = Readdress(terminals)
    round_ = 0
    while True:
        for block in blocks:
            text, frames = readdress.block(block, round_)
            yield (text + "\r\n\r\n").encode(), frames
        round_ += 1


class Player:
    def __init__(self, blocks: list[str], terminals: int) -> None:
        self.blocks = blocks
        self.terminals = terminals
        self.writer: asyncio.StreamWriter | None = None
        self.logged_in = asyncio.Event()
        self.actions = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        parser = AMIParser()
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                for action in parser.feed(data):
                    self._answer(action, writer)
        if self.writer is writer:
            self.writer = None
            self.logged_in.clear()

    def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        self.actions += 1
        aid = action.get("ActionID", "")
        name = action.get("Action", "").lower()
        if name in ("queuestatus", "coreshowchannels", "status"):
            writer.write(
                encode_action({"Response": "Success", "ActionID": aid, "EventList": "start"})
            )
            writer.write(
                encode_action({"Event": "Complete", "ActionID": aid, "EventList": "Complete"})
            )
        elif name == "getvar":
            writer.write(encode_action({"Response": "Success", "ActionID": aid, "Value": ""}))
        else:
            writer.write(encode_action({"Response": "Success", "ActionID": aid}))
        if name == "login":
            writer.write(encode_action({"Event": "FullyBooted", "Status": "Fully Booted"}))
            self.writer = writer
            self.logged_in.set()

    async def stream(self, rate: float, seconds: float) -> tuple[int, dict[str, float]]:
        """Send for ``seconds`` at ``rate`` events/s; the send time of each frame's event."""
        sent: dict[str, float] = {}
        events = replay(self.blocks, self.terminals)
        total = int(rate * seconds)
        started = time.perf_counter()
        n = 0
        while n < total:
            await self.logged_in.wait()
            writer = self.writer
            assert writer is not None
            due = min(total, int((time.perf_counter() - started) * rate) + 1)
            while n < due:
                data, frames = next(events)
                now = time.time()
                writer.write(data)
                for terminal, call, frame in frames:
                    sent.setdefault(f"{terminal} {call} {frame}", now)
                n += 1
            if writer.transport.get_write_buffer_size() > 1 << 20:
                await writer.drain()  # the agency does not read: pace with it
            await asyncio.sleep(0.002)
        return n, sent


async def main_async(args: argparse.Namespace) -> None:
    only = EVENTS if args.eventfilter else None
    player = Player(recorded_events(args.stream, only), args.terminals)
    server = await asyncio.start_server(player.serve, "127.0.0.1", args.port)
    print("listening", flush=True)
    async with server:
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, *rest = line.split()
            if command == "stream":
                rate, seconds, sentlog = float(rest[0]), float(rest[1]), Path(rest[2])
                count, sent = await player.stream(rate, seconds)
                sentlog.write_text(json.dumps(sent))
                print(f"streamed {count} actions-answered {player.actions}", flush=True)
            elif command == "wait-login":
                await player.logged_in.wait()
                print("logged-in", flush=True)
            elif command == "quit":
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stream", type=Path, required=True)
    parser.add_argument("--terminals", type=int, required=True)
    parser.add_argument("--eventfilter", action="store_true", help="only the agency's events")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
