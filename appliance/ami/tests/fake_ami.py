"""A fake AMI server for unit tests (the integration tests use a real Asterisk)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable

from appliance.ami.codec import AMIParser, Message, encode_action

Reply = Callable[[Message], list[Message]]


def default_reply(action: Message) -> list[Message]:
    name = action["Action"].lower()
    aid = action.get("ActionID", "")
    if name == "login":
        if action.get("Secret") != "s3cret":
            return [{"Response": "Error", "ActionID": aid, "Message": "Authentication failed"}]
        return [
            {"Response": "Success", "ActionID": aid, "Message": "Authentication accepted"},
            {"Event": "FullyBooted", "Status": "Fully Booted"},
        ]
    if name == "queuestatus":
        return [
            {"Response": "Success", "ActionID": aid, "EventList": "start"},
            {"Event": "QueueParams", "Queue": "sales", "ActionID": aid},
            {"Event": "QueueMember", "Queue": "sales", "Name": "101", "ActionID": aid},
            {"Event": "QueueStatusComplete", "EventList": "Complete", "ActionID": aid},
        ]
    if name == "coreshowchannels":
        return [
            {"Response": "Success", "ActionID": aid, "EventList": "start"},
            {"Event": "CoreShowChannelsComplete", "EventList": "Complete", "ActionID": aid},
        ]
    if name == "silent":
        return []
    return [{"Response": "Success", "ActionID": aid}]


class FakeAMI:
    def __init__(self, reply: Reply = default_reply) -> None:
        self.reply = reply
        self.actions: list[Message] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port, ssl=tls)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop_all()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def drop_all(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    def emit(self, event: Message) -> None:
        for writer in self.writers:
            writer.write(encode_action(event))

    def names(self) -> list[str]:
        return [a["Action"] for a in self.actions]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        parser = AMIParser()
        while data := await reader.read(4096):
            for action in parser.feed(data):
                self.actions.append(action)
                for message in self.reply(action):
                    writer.write(encode_action(message) + b"\r\n")
