"""The model read once, in a few queries, into plain data the templates render.

One snapshot serves every unit of an Apply Dialplan, so the database is read once however many
units there are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, TypedDict

from django.db.models import Q

from ..callflow.sounds import flow_sound_names
from ..models import (
    Context,
    Gateway,
    Group,
    InboundTopic,
    Operator,
    OutboundTopic,
    Route,
    Schedule,
    Sound,
    SpecificDate,
    Transformation,
    WeeklyRange,
    Workplace,
)


# The rows the snapshot reads with QuerySet.values(): the columns named there, nothing else.
class WorkplaceRow(TypedDict):
    number: str
    description: str
    sip_secret: str


class GatewayRow(TypedDict):
    name: str
    description: str
    context__name: str
    host: str
    port: int
    transport: str
    username: str
    auth_domain: str
    password: str
    did: str


class TransformationRow(TypedDict):
    pattern: str
    result: str
    description: str


class OutboundTopicRow(TypedDict):
    id: int
    prefix: str
    name: str
    script_url: str
    record_calls: bool


class RouteRow(TypedDict):
    id: int
    pattern: str
    transformation: str
    caller_id: str
    gateway__name: str
    description: str


@dataclass(frozen=True)
class SoundFile:
    name: str
    path: str  # absolute path of the converted WAV on the admin
    sha256: str

    @property
    def ref(self) -> str:
        """The content-addressed name the unit stores it under (without extension)."""
        return f"{self.name}-{self.sha256[:12]}"


@dataclass(frozen=True)
class Weekly:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class OneDate:
    day: date
    start: time | None
    end: time | None


@dataclass
class ScheduleData:
    id: int
    name: str
    weekly: list[Weekly] = field(default_factory=list)
    dates: list[OneDate] = field(default_factory=list)


@dataclass(frozen=True)
class GroupData:
    name: str
    strategy: str
    timeout: int
    weight: int
    hold_sound: str | None


@dataclass(frozen=True)
class InboundData:
    id: int
    number: str
    name: str
    script_url: str
    hide_caller: bool
    group: str | None
    greeting: str | None
    closed_sound: str | None
    schedule_ids: list[int]
    active: bool = True  # the topic directory's state: suspended or closed take no calls
    flow: dict[str, Any] | None = None  # an edited call flow; None: the standard flow
    record: bool = False  # every answered call of the topic is recorded


@dataclass
class Snapshot:
    workplaces: list[WorkplaceRow]
    gateways: list[GatewayRow]
    contexts: dict[str, list[TransformationRow]]  # custom context -> transformations in order
    groups: list[GroupData]
    schedules: dict[int, ScheduleData]
    inbound: list[InboundData]
    inbound_transformations: list[TransformationRow]
    outbound: list[OutboundTopicRow]
    routes: list[RouteRow]
    sounds: dict[str, SoundFile]  # by sound name, only the sounds in use
    workplace_numbers: set[str] = field(default_factory=set)
    recorded_operators: list[str] = field(default_factory=list)  # agent numbers
    # Rendering's per-snapshot memo (compiled call flows, shared by every unit's render).
    memo: dict[str, object] = field(default_factory=dict, repr=False)


def load_snapshot() -> Snapshot:
    sound_ids: set[int] = set()
    sound_names: set[str] = set()
    groups = _groups(sound_ids)
    inbound = _inbound(sound_ids, sound_names)
    return Snapshot(
        workplaces=list(
            Workplace.objects.order_by("number").values("number", "description", "sip_secret")
        ),
        gateways=list(
            Gateway.objects.order_by("name").values(
                "name",
                "description",
                "context__name",
                "host",
                "port",
                "transport",
                "username",
                "auth_domain",
                "password",
                "did",
            )
        ),
        contexts=_contexts(),
        groups=groups,
        schedules=_schedules(),
        inbound=inbound,
        inbound_transformations=list(
            Transformation.objects.filter(context__kind=Context.Kind.INBOUND)
            .order_by("pattern")
            .values("pattern", "result", "description")
        ),
        outbound=list(
            OutboundTopic.objects.order_by("prefix").values(
                "id", "prefix", "name", "script_url", "record_calls"
            )
        ),
        routes=list(
            Route.objects.order_by("order", "id").values(
                "id", "pattern", "transformation", "caller_id", "gateway__name", "description"
            )
        ),
        sounds=_sounds(sound_ids, sound_names),
        workplace_numbers=set(Workplace.objects.values_list("number", flat=True)),
        recorded_operators=list(
            Operator.objects.filter(record_calls=True, is_active=True).values_list(
                "agent_number", flat=True
            )
        ),
    )


def _groups(sound_ids: set[int]) -> list[GroupData]:
    rows = Group.objects.order_by("name").values(
        "id",
        "name",
        "strategy",
        "answer_timeout",
        "priority",
        "hold_sound_id",
        "hold_sound__name",
    )
    result = []
    for row in rows:
        if row["hold_sound_id"]:
            sound_ids.add(row["hold_sound_id"])
        result.append(
            GroupData(
                name=row["name"],
                strategy=row["strategy"],
                timeout=row["answer_timeout"],
                weight=row["priority"],
                hold_sound=row["hold_sound__name"],
            )
        )
    return result


def _inbound(sound_ids: set[int], sound_names: set[str]) -> list[InboundData]:
    schedules: dict[int, list[int]] = {}
    through = InboundTopic.non_working_schedules.through.objects.order_by("schedule_id")
    for topic_id, schedule_id in through.values_list("inboundtopic_id", "schedule_id"):
        schedules.setdefault(topic_id, []).append(schedule_id)
    rows = InboundTopic.objects.order_by("number").values(
        "id",
        "number",
        "name",
        "script_url",
        "hide_caller_number",
        "record_calls",
        "group__name",
        "working_sound_id",
        "working_sound__name",
        "non_working_sound_id",
        "non_working_sound__name",
        "state",
        "flow",
    )
    result = []
    for row in rows:
        sound_ids.update(s for s in (row["working_sound_id"], row["non_working_sound_id"]) if s)
        flow = row["flow"] if isinstance(row["flow"], dict) else None
        if flow is not None and flow.get("standard"):
            flow = None  # regenerated from the topic's fields at render time
        if flow is not None:
            sound_names.update(flow_sound_names(flow))
        result.append(
            InboundData(
                id=row["id"],
                number=row["number"],
                name=row["name"],
                script_url=row["script_url"],
                hide_caller=row["hide_caller_number"],
                group=row["group__name"],
                greeting=row["working_sound__name"],
                closed_sound=row["non_working_sound__name"],
                schedule_ids=schedules.get(row["id"], []),
                active=row["state"] == InboundTopic.State.ACTIVE,
                flow=flow,
                record=row["record_calls"],
            )
        )
    return result


def _contexts() -> dict[str, list[TransformationRow]]:
    contexts: dict[str, list[TransformationRow]] = {
        name: []
        for name in Context.objects.filter(kind=Context.Kind.CUSTOM).values_list("name", flat=True)
    }
    rows = (
        Transformation.objects.filter(context__kind=Context.Kind.CUSTOM)
        .order_by("context__name", "pattern")
        .values("context__name", "pattern", "result", "description")
    )
    for row in rows:
        contexts[row["context__name"]].append(row)
    return dict(sorted(contexts.items()))


def _schedules() -> dict[int, ScheduleData]:
    schedules = {
        sid: ScheduleData(sid, name) for sid, name in Schedule.objects.values_list("id", "name")
    }
    for weekly in WeeklyRange.objects.order_by("weekday", "start_time").values():
        schedules[weekly["schedule_id"]].weekly.append(
            Weekly(weekly["weekday"], weekly["start_time"], weekly["end_time"])
        )
    for one_date in SpecificDate.objects.order_by("date", "start_time").values():
        schedules[one_date["schedule_id"]].dates.append(
            OneDate(one_date["date"], one_date["start_time"], one_date["end_time"])
        )
    return schedules


def _sounds(ids: set[int], names: set[str]) -> dict[str, SoundFile]:
    sounds = {}
    for sound in Sound.objects.filter(Q(id__in=ids) | Q(name__in=names)).order_by("name"):
        path = sound.file.path
        sounds[sound.name] = SoundFile(sound.name, path, file_sha256(path))
    return sounds


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
