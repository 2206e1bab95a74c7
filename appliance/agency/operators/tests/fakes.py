"""Fakes at the process boundaries of the operator service (unit tests only)."""

from __future__ import annotations

import asyncio
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from appliance.agency.acp.clients import Client
from appliance.agency.acp.outgoing import Outgoing
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.config import OperatorsConfig
from appliance.agency.database import (
    DispositionRecord,
    GroupRecord,
    InboundTopicRecord,
    Interval,
    OperatorRecord,
    OutboundTopicRecord,
    WorkCodes,
    WorkplaceRecord,
)
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.topics import TopicCache
from appliance.ami.codec import Message
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import ActionFailedError, NotConnectedError
from appliance.ami.manager import Snapshot, UnitAccess

PASSWORD = "s3cret-pass"
HASH = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
MAC = "e8039ab5e0c9"


class FakeStore:
    def __init__(self) -> None:
        self.operators = {
            "101": OperatorRecord(1, "101", "Ivan", HASH, 0, 15),
            "102": OperatorRecord(2, "102", "Olga", HASH, 0, 15),
        }
        self.workplaces = {
            MAC: WorkplaceRecord("201", MAC, "sipsecret", ""),
            "a0b1c2d3e4f5": WorkplaceRecord("202", "a0b1c2d3e4f5", "s2", ""),
            "a0b1c2d3e4f9": WorkplaceRecord("209", "a0b1c2d3e4f9", "s9", "supervisor"),
        }
        self.intervals: list[Interval] = []
        self.codes = WorkCodes()  # what the admin defined (none: free pause reasons)
        self.dispositions: list[DispositionRecord] = []
        self.saved: dict[str, dict[str, Any]] = {}
        self.topics = {
            "7100": InboundTopicRecord("7100", "Hotline", "https://crm/s", False, "support"),
            "7200": InboundTopicRecord("7200", "VIP", None, True, "support"),
        }

    async def operator(self, agent: str) -> OperatorRecord | None:
        return self.operators.get(agent)

    async def workplace(self, mac: str) -> WorkplaceRecord | None:
        return self.workplaces.get(mac)

    async def workplace_by_number(self, number: str) -> WorkplaceRecord | None:
        return next((w for w in self.workplaces.values() if w.number == number), None)

    async def groups_of(self, operator_id: int) -> list[GroupRecord]:
        return [GroupRecord("support", "Support", 1, "jazz"), GroupRecord("sales", "Sales", 3)]

    async def outbound_topics(self) -> list[OutboundTopicRecord]:
        return [OutboundTopicRecord("111", "Sales", None)]

    async def record_interval(self, interval: Interval) -> None:
        self.intervals.append(interval)

    async def work_codes(self) -> WorkCodes:
        return self.codes

    async def record_disposition(self, disposition: DispositionRecord) -> None:
        self.dispositions.append(disposition)

    async def save_session(self, agent: str, data: dict[str, Any]) -> None:
        self.saved[agent] = data

    async def drop_session(self, agent: str) -> None:
        self.saved.pop(agent, None)

    async def reserve_session(self, agent: str, limit: int) -> bool | None:
        """As the database's: the session rows of every agency instance are ``saved``."""
        if len(set(self.saved) - {agent}) >= limit:
            return None
        if agent in self.saved:
            return False
        self.saved[agent] = {}
        return True

    async def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [
            {
                "number": t.number,
                "description": t.description,
                "script_url": t.script_url,
                "hide_caller_number": t.hide_number,
                "grp": t.group,
                "service_level_seconds": t.service_level_seconds,
            }
            for t in self.topics.values()
        ]


class FakeUnit:
    def __init__(self, name: str = "unit1", host: str = "10.0.0.5") -> None:
        self.unit = UnitAccess(name, host, 5038, "agency", "x", "wss://pbx/ws", "")
        self.started = self.stopped = False
        self.dispatcher = Dispatcher()
        self.actions: list[tuple[str, dict[str, str]]] = []
        self.up = True
        self.resync: list[Any] = []
        self.lost: list[Any] = []
        self.action_latency: list[Any] = []
        self.listed: dict[str, list[Message]] = {}
        self.variables: dict[tuple[str, str], str] = {}  # (channel, variable): Getvar's Value
        self.refused: set[str] = set()  # actions answered "Permission denied"

    def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def on_resync(self, listener: Any) -> None:
        self.resync.append(listener)

    def on_lost(self, listener: Any) -> None:
        self.lost.append(listener)

    async def action(self, action: str, headers: dict[str, str] | None = None) -> Message:
        if not self.up:
            raise NotConnectedError(f"{action}: down")
        if action in self.refused:
            raise ActionFailedError(action, {"Response": "Error", "Message": "Permission denied"})
        self.actions.append((action, dict(headers or {})))
        if action == "Getvar":  # channel variables the test set in ``variables``
            key = (headers or {}).get("Channel", ""), (headers or {}).get("Variable", "")
            return {"Response": "Success", "Variable": key[1], "Value": self.variables.get(key, "")}
        return {"Response": "Success"}

    async def send(self, action: str, headers: dict[str, str] | None = None) -> list[Message]:
        """An action with its event list: ``listed`` answers CoreShowChannels."""
        return [await self.action(action, headers), *self.listed.get(action, [])]

    def names(self) -> list[str]:
        return [a for a, _ in self.actions]

    def emit(self, event: Message) -> None:
        self.dispatcher(event)

    async def snapshot(self, queues: list[Message], channels: list[Message]) -> None:
        for listener in self.resync:
            await listener(Snapshot("unit1", queues, channels))


class FakeNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[Client, str, str, dict[str, Any]]] = []

    def send(self, client: Client, message: Outgoing) -> bool:
        assert_valid(message.encode(client.lang))  # every message the service sends is ACP
        self.sent.append((client, message.kind, message.name, dict(message.data)))
        return True

    def names(self, client: Client | None = None) -> list[str]:
        return [n for c, _, n, _ in self.sent if client is None or c is client]

    def last(self, name: str) -> dict[str, Any]:
        return [d for _, _, n, d in self.sent if n == name][-1]


def make_client() -> Client:
    return Client(None, None, "127.0.0.1", 16, lambda c, r: None)  # type: ignore[arg-type]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def wired_service(
    store: FakeStore,
    unit: FakeUnit,
    notifier: FakeNotifier | None = None,
    topics: TopicCache | None = None,
    **options: Any,
) -> OperatorService:
    """An operator service on the fakes, its call events attached to ``unit`` ("unit1")."""
    settings = OperatorsConfig(pause_limit=600, reconnect_grace=60)
    units = {"unit1": unit}
    service = OperatorService(settings, store, units, notifier or FakeNotifier(), **options)  # type: ignore[arg-type]
    CallEvents(service, topics or TopicCache(store)).attach(unit)  # type: ignore[arg-type]
    return service


async def shut_down(service: OperatorService) -> None:
    """Cancel every session's timers and wait for the service's background work."""
    for session in service.sessions.values():
        for handle in (session.timer, session.warning):
            if handle is not None:
                handle.cancel()
    await service.drain()
