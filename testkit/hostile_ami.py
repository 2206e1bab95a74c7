"""A hostile AMI peer: an asyncio server on 127.0.0.1 that breaks the protocol a different way
on each connection, then behaves (``healthy``) once every fault was served.

The faults (``FAULTS``), each bounded in bytes and time so the peer stops by itself:

- ``silent``: accepts and never sends a byte;
- ``not_ami``: greets like an HTTP server;
- ``endless_banner``: a greeting line that never ends (64 KiB without a line break);
- ``garbage``: the right greeting, then random bytes, never an answer;
- ``truncated``: answers the login, then half of the ``QueueStatus`` response and closes;
- ``endless_line``: answers the login, then one header line of 8 MiB without a line break;
- ``huge_header``: answers the login and the resync, sends an event with a 1 MiB header (within
  the bounds), then one with a 6 MiB header;
- ``stall_mid_frame``: answers the login and the resync, then stops in the middle of the first
  ``Ping`` response and says nothing more.

``healthy`` answers like Asterisk: the login, ``FullyBooted``, empty event lists, ``Success``.
Used by tests/integration/agency/test_hostile_ami.py against the real agency.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from typing import Any

from appliance.ami.codec import AMIParser, Message, encode_action

FAULTS = (
    "silent",
    "not_ami",
    "endless_banner",
    "garbage",
    "truncated",
    "endless_line",
    "huge_header",
    "stall_mid_frame",
)
GREETING = b"Asterisk Call Manager/9.0.0\r\n"
HOLD_SECONDS = 60.0  # the longest a connection is kept open waiting for the agency to give up
CHUNK = 65536


class HostileAMI:
    def __init__(self, secret: str, faults: tuple[str, ...] = FAULTS) -> None:
        self.secret = secret
        self.faults = faults
        self.served: Counter[str] = Counter()  # connections per fault (and "healthy")
        self.port = 0
        self._server: asyncio.Server | None = None
        self._rng = random.Random(14)
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}  # being served

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every connection and wait (at most 5 s) for their tasks to end."""
        if self._server is None:
            return
        self._server.close()
        tasks = list(self._connections)
        for task, writer in list(self._connections.items()):
            writer.transport.abort()  # a read then ends even if a cancellation were lost
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._server.wait_closed()

    def all_served(self) -> bool:
        return all(self.served[fault] for fault in self.faults)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        index = sum(self.served.values())
        kind = self.faults[index] if index < len(self.faults) else "healthy"
        self.served[kind] += 1
        peer = _Peer(reader, writer, self.secret)
        try:
            await getattr(self, f"_{kind}")(peer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            writer.close()
            del self._connections[task]

    # the faults ------------------------------------------------------------------------------
    async def _silent(self, peer: _Peer) -> None:
        await peer.hold()

    async def _not_ami(self, peer: _Peer) -> None:
        await peer.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await peer.hold()

    async def _endless_banner(self, peer: _Peer) -> None:
        await peer.send(b"Asterisk Call Manager/9.0.0 " + b"x" * CHUNK)
        await peer.hold()

    async def _garbage(self, peer: _Peer) -> None:
        await peer.send(GREETING)
        for _ in range(16):
            await peer.send(bytes(self._rng.getrandbits(8) for _ in range(4096)))
        await peer.hold()

    async def _truncated(self, peer: _Peer) -> None:
        await peer.greet_and_login()
        action = await peer.action()
        await peer.send(
            f"Response: Success\r\nActionID: {action.get('ActionID')}\r\nEventL".encode()
        )

    async def _endless_line(self, peer: _Peer) -> None:
        await peer.greet_and_login()
        await peer.send(b"Event: Junk\r\nValue: ")
        for _ in range(8 * 1024 * 1024 // CHUNK):
            await peer.send(b"x" * CHUNK)
        await peer.hold()

    async def _huge_header(self, peer: _Peer) -> None:
        await peer.greet_and_login()
        await peer.resync()
        await peer.send(b"Event: Junk\r\nValue: " + b"y" * (1024 * 1024) + b"\r\n\r\n")
        await peer.send(b"Event: Junk\r\nValue: ")
        for _ in range(6 * 1024 * 1024 // CHUNK):
            await peer.send(b"z" * CHUNK)
        await peer.send(b"\r\n\r\n")
        await peer.hold()

    async def _stall_mid_frame(self, peer: _Peer) -> None:
        await peer.greet_and_login()
        await peer.resync()
        await peer.action()  # the first Ping
        await peer.send(b"Response: Succ")
        await peer.hold()

    async def _healthy(self, peer: _Peer) -> None:
        await peer.greet_and_login()
        while True:
            await peer.answer(await peer.action())


class _Peer:
    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, secret: str
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.secret = secret
        self.parser = AMIParser()
        self.actions: list[Message] = []

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def action(self) -> Message:
        while not self.actions:
            # not asyncio.wait_for: in Python 3.11 it returns the read's data and drops a
            # cancellation that arrives with it, and the connection then serves on
            async with asyncio.timeout(HOLD_SECONDS):
                data = await self.reader.read(CHUNK)
            if not data:
                raise ConnectionError("the agency closed the connection")
            self.actions.extend(self.parser.feed(data))
        return self.actions.pop(0)

    async def greet_and_login(self) -> None:
        await self.send(GREETING)
        login = await self.action()
        ok = login.get("Action", "").lower() == "login" and login.get("Secret") == self.secret
        reply = {
            "Response": "Success" if ok else "Error",
            "ActionID": login.get("ActionID", ""),
            "Message": "Authentication accepted" if ok else "Authentication failed",
        }
        await self.send(encode_action(reply))
        if not ok:
            raise ConnectionError("wrong secret")
        await self.send(encode_action({"Event": "FullyBooted", "Status": "Fully Booted"}))

    async def resync(self) -> None:
        for _ in range(2):  # QueueStatus, CoreShowChannels
            await self.answer(await self.action())

    async def answer(self, action: Message) -> None:
        action_id = action.get("ActionID", "")
        name = action.get("Action", "").lower()
        if name in {"queuestatus", "coreshowchannels"}:
            complete = (
                "QueueStatusComplete" if name == "queuestatus" else "CoreShowChannelsComplete"
            )
            await self.send(
                encode_action({"Response": "Success", "ActionID": action_id, "EventList": "start"})
                + encode_action({"Event": complete, "EventList": "Complete", "ActionID": action_id})
            )
        else:
            await self.send(encode_action({"Response": "Success", "ActionID": action_id}))

    async def hold(self) -> None:
        """Keep the connection open, reading and ignoring, until the agency closes it."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(HOLD_SECONDS):
                while await self.reader.read(CHUNK):
                    pass
