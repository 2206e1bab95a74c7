"""MariaDB access: the admin's call-center model (read only) and the agency's own tables.

The admin (Django) owns ``callcenter_*``; the agency reads them with plain SQL built from the
names in ``appliance.contracts.tables`` (checked against the admin's models) and never imports
Django. The agency owns ``agency_interval`` (time tracking, AGY-10), ``agency_session``
(sessions that survive an agency restart) and ``agency_disposition`` (the dispositions operators
gave their calls) and ``agency_call`` (call records, ``appliance.contracts.call_records``) and
creates them when missing. Blocking pymysql calls
run in a worker thread, one at a time on one connection that reconnects when it was dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymysql
import pymysql.cursors
from pymysql.constants import CLIENT

from appliance.agency.config import DatabaseConfig
from appliance.contracts import tables
from appliance.contracts.call_records import AGENCY_CALL_DDL
from appliance.contracts.call_records import TABLE as CALL_TABLE
from appliance.contracts.call_records import Column as CallColumn

# the columns of a call record the agency writes from AMI events (wrap-up and disposition are
# written on their own, when the operator is done, and never overwritten by a replay)
CALL_EVENT_COLUMNS = (
    CallColumn.call_id,
    CallColumn.leg,
    CallColumn.kind,
    CallColumn.parent_leg,
    CallColumn.unit,
    CallColumn.direction,
    CallColumn.topic,
    CallColumn.group_name,
    CallColumn.did,
    CallColumn.caller,
    CallColumn.caller_name,
    CallColumn.caller_hidden,
    CallColumn.result,
    CallColumn.agent,
    CallColumn.workplace,
    CallColumn.offered_at,
    CallColumn.answered_at,
    CallColumn.ended_at,
    CallColumn.wait_seconds,
    CallColumn.ring_seconds,
    CallColumn.talk_seconds,
    CallColumn.hold_seconds,
)
UPSERT_CALL = (
    f"INSERT INTO {CALL_TABLE} ({', '.join(CALL_EVENT_COLUMNS)})"  # noqa: S608 - names from contracts
    f" VALUES ({', '.join(['%s'] * len(CALL_EVENT_COLUMNS))}) ON DUPLICATE KEY UPDATE "
    + ", ".join(f"{c} = VALUES({c})" for c in CALL_EVENT_COLUMNS[2:])
)
NO_SUCH_TABLE = 1146  # MariaDB's ER_NO_SUCH_TABLE
BAD_FIELD = 1054  # ER_BAD_FIELD_ERROR: an admin older than the column
# the server-wide lock every agency instance takes to count and reserve operator sessions
SESSIONS_LOCK = "uzor-agency-sessions"
SESSIONS_LOCK_WAIT = 10  # seconds

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS agency_interval (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        agent VARCHAR(20) NOT NULL,
        mode VARCHAR(16) NOT NULL,
        state VARCHAR(16) NOT NULL,
        reason VARCHAR(32) NULL,
        project VARCHAR(64) NULL,
        activity VARCHAR(64) NULL,
        started_at DATETIME(6) NOT NULL,
        ended_at DATETIME(6) NOT NULL,
        seconds DOUBLE NOT NULL,
        KEY agency_interval_agent_started (agent, started_at)
    ) CHARACTER SET utf8mb4""",
    """CREATE TABLE IF NOT EXISTS agency_session (
        agent VARCHAR(20) PRIMARY KEY,
        data JSON NOT NULL,
        updated_at DATETIME(6) NOT NULL
    ) CHARACTER SET utf8mb4""",
    """CREATE TABLE IF NOT EXISTS agency_disposition (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        agent VARCHAR(20) NOT NULL,
        code VARCHAR(32) NOT NULL,
        call_id VARCHAR(64) NULL,
        channel VARCHAR(128) NULL,
        group_name VARCHAR(80) NULL,
        decided_at DATETIME(6) NOT NULL,
        KEY agency_disposition_call (call_id),
        KEY agency_disposition_decided (decided_at, agent)
    ) CHARACTER SET utf8mb4""",
    AGENCY_CALL_DDL,
)


# Every inbound topic with its group's name (``grp``); Store.inbound_topic adds a WHERE.
_TOPIC, _GROUP = tables.InboundTopic, tables.Group
INBOUND_TOPICS = (
    f"SELECT t.{_TOPIC.number} AS number, t.{_TOPIC.description} AS description,"  # noqa: S608 - names from contracts.tables
    f" t.{_TOPIC.script_url} AS script_url,"
    f" t.{_TOPIC.hide_caller_number} AS hide_caller_number, g.{_GROUP.name} AS grp,"
    f" t.{_TOPIC.service_level_seconds} AS service_level_seconds"
    f" FROM {_TOPIC.table} t LEFT JOIN {_GROUP.table} g ON g.{_GROUP.id} = t.{_TOPIC.group_id}"
)


@dataclass(frozen=True)
class OperatorRecord:
    id: int
    agent: str
    name: str
    password_hash: str
    wrapup_seconds: int
    ring_seconds: int


@dataclass(frozen=True)
class GroupRecord:
    name: str
    description: str
    penalty: int
    hold_sound: str | None = None  # the admin renders it as music-on-hold class uzor-<name>


@dataclass(frozen=True)
class WorkplaceRecord:
    number: str
    mac: str
    sip_secret: str
    description: str


@dataclass(frozen=True)
class InboundTopicRecord:
    number: str
    description: str
    script_url: str | None
    hide_number: bool
    group: str | None
    service_level_seconds: int = 20  # answered within it counts toward the service level


@dataclass(frozen=True)
class OutboundTopicRecord:
    prefix: str
    description: str
    script_url: str | None


@dataclass(frozen=True)
class UnitRecord:
    name: str
    host: str
    port: int
    username: str
    secret: str
    ws_address: str
    sip_address: str
    tls_certificate: str = ""  # the unit's pinned AMI certificate (PEM); empty: plain TCP


def _agency_login(row: Mapping[str, Any]) -> tuple[str, str]:
    """The agency's own AMI user of a unit; the admin's for a unit registered before the
    admin knew two users (its agency_ami_user is empty)."""
    if row["agency_ami_user"]:
        return row["agency_ami_user"], row["agency_ami_secret"]
    return row["ami_user"], row["ami_secret"]


@dataclass(frozen=True)
class WorkCodeRecord:
    """A pause reason or a disposition the admin defined (active ones only)."""

    code: str
    name_ru: str
    name_en: str
    groups: frozenset[str] = frozenset()  # offered to these groups' operators; empty: to all
    max_seconds: int | None = None  # a pause reason's limit; None: the agency's pause limit


@dataclass(frozen=True)
class WorkCodes:
    pause_reasons: tuple[WorkCodeRecord, ...] = ()
    dispositions: tuple[WorkCodeRecord, ...] = ()
    disposition_groups: frozenset[str] = frozenset()  # the groups requiring a disposition


@dataclass(frozen=True)
class DispositionRecord:
    """What an operator said about a call: ``call_id`` is Asterisk's Linkedid of the call."""

    agent: str
    code: str
    call_id: str | None
    channel: str | None
    group: str | None
    decided_at: float


@dataclass(frozen=True)
class Interval:
    agent: str
    mode: str
    state: str
    reason: str | None
    project: str | None
    activity: str | None
    started_at: float
    ended_at: float


Statement = tuple[str, tuple[Any, ...]]
_COLLECTED: ContextVar[list[Statement] | None] = ContextVar("agency_db_collected", default=None)

# A connection that answered within this many seconds is used without a ping first (a
# round trip per statement under load); one idle longer, or whose last statement failed, is
# pinged and made anew when dropped (MariaDB restarted, wait_timeout).
PING_AFTER_IDLE = 5.0
# A batch of writes goes as multi-statement queries of at most this many characters (far
# below MariaDB's max_allowed_packet, 16 MiB by default).
BATCH_BYTES = 256 * 1024


class Database:
    def __init__(self, settings: DatabaseConfig) -> None:
        self.settings = settings
        self._connection: pymysql.connections.Connection[Any] | None = None
        self._lock = threading.Lock()
        self._used_at = -math.inf  # when the connection last answered (time.monotonic)
        self._order = asyncio.Lock()  # statements run in the order they were issued

    # plumbing --------------------------------------------------------------------------------
    def _connect(self) -> pymysql.connections.Connection[Any]:
        if self._connection is not None:
            if time.monotonic() - self._used_at < PING_AFTER_IDLE:
                return self._connection
            try:
                self._connection.ping(reconnect=False)
                return self._connection
            except pymysql.err.Error:  # dropped: a new connection (ping's reconnect is deprecated)
                self._connection = None
        password = Path(self.settings.password_file).read_text(encoding="utf-8").strip()
        self._connection = pymysql.connect(
            host=self.settings.host,
            port=self.settings.port,
            unix_socket=self.settings.socket,
            user=self.settings.user,
            password=password,
            database=self.settings.name,
            charset="utf8mb4",
            autocommit=True,
            # run_batch sends a batch's statements in one query; every statement is still
            # built from fixed text and escaped arguments (cursor.mogrify), never from input
            client_flag=CLIENT.MULTI_STATEMENTS,
            cursorclass=pymysql.cursors.DictCursor,
            connect_timeout=5,
        )
        return self._connection

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[pymysql.cursors.Cursor[Any]]:
        """The connection's cursor, for one thread at a time."""
        with self._lock:
            try:
                with self._connect().cursor() as cursor:
                    yield cursor
            except pymysql.err.Error:
                self._used_at = -math.inf  # the link may be gone: pinged before the next
                raise
            self._used_at = time.monotonic()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    async def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        collected = _COLLECTED.get()
        if collected is not None:  # a write, kept for run_batch (see collect)
            collected.append((sql, args))
            return []
        async with self._order:
            return await asyncio.to_thread(self._run, sql, args)

    @contextlib.contextmanager
    def collect(self) -> Iterator[list[Statement]]:
        """The statements this task issues meanwhile, kept instead of run (each answers no
        rows, so only writes may be issued), for :meth:`run_batch`."""
        collected: list[Statement] = []
        token = _COLLECTED.set(collected)
        try:
            yield collected
        finally:
            _COLLECTED.reset(token)

    async def run_batch(self, statements: list[Statement]) -> tuple[int, Exception | None]:
        """Run ``statements`` in order in one trip to the database's thread: how many were
        done, and the error that stopped the next one (None: all done)."""
        async with self._order:
            return await asyncio.to_thread(self._run_batch, statements)

    def _run_batch(self, statements: list[Statement]) -> tuple[int, Exception | None]:
        """Each chunk of statements as one multi-statement query: one round trip, not one a
        statement. The server runs them in order and stops at the first that fails; its error
        comes with that statement's result, so the results read before it are those done."""
        done = 0
        try:
            with self._cursor() as cursor:
                for chunk in _chunks([cursor.mogrify(sql, args) for sql, args in statements]):
                    cursor.execute(";\n".join(chunk))  # the first statement's result
                    done += 1
                    while cursor.nextset():
                        done += 1
        except Exception as exc:
            return done, exc
        return done, None

    async def prepare(self) -> None:
        for statement in SCHEMA:
            await self.query(statement)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # the admin's model -----------------------------------------------------------------------
    async def operator(self, agent: str) -> OperatorRecord | None:
        o = tables.Operator
        rows = await self.query(
            f"SELECT {o.id} AS id, {o.agent_number} AS agent_number, {o.last_name} AS last_name,"  # noqa: S608 - names from contracts.tables
            f" {o.first_name} AS first_name, {o.middle_name} AS middle_name,"
            f" {o.password} AS password, {o.wrapup_time} AS wrapup_time,"
            f" {o.ring_time} AS ring_time FROM {o.table}"
            f" WHERE {o.agent_number} = %s AND {o.is_active}",
            agent,
        )
        if not rows:
            return None
        row = rows[0]
        name = " ".join(p for p in (row["last_name"], row["first_name"], row["middle_name"]) if p)
        return OperatorRecord(
            row["id"],
            row["agent_number"],
            name,
            row["password"],
            row["wrapup_time"],
            row["ring_time"],
        )

    async def groups_of(self, operator_id: int) -> list[GroupRecord]:
        g, m, s = tables.Group, tables.Membership, tables.Sound
        rows = await self.query(
            f"SELECT g.{g.name} AS name, g.{g.description} AS description,"  # noqa: S608 - names from contracts.tables
            f" m.{m.priority} AS priority, s.{s.name} AS sound"
            f" FROM {m.table} m JOIN {g.table} g ON g.{g.id} = m.{m.group_id}"
            f" LEFT JOIN {s.table} s ON s.{s.id} = g.{g.hold_sound_id}"
            f" WHERE m.{m.operator_id} = %s ORDER BY g.{g.name}",
            operator_id,
        )
        return [GroupRecord(r["name"], r["description"], r["priority"], r["sound"]) for r in rows]

    async def workplace(self, mac: str) -> WorkplaceRecord | None:
        return await self._workplace_where(tables.Workplace.mac, mac)

    async def workplace_by_number(self, number: str) -> WorkplaceRecord | None:
        return await self._workplace_where(tables.Workplace.number, number)

    async def _workplace_where(self, column: str, value: str) -> WorkplaceRecord | None:
        w = tables.Workplace
        rows = await self.query(
            f"SELECT {w.number} AS number, {w.mac} AS mac, {w.sip_secret} AS sip_secret,"  # noqa: S608 - names from contracts.tables
            f" {w.description} AS description FROM {w.table} WHERE {column} = %s",
            value,
        )
        return WorkplaceRecord(**rows[0]) if rows else None

    async def inbound_topic(self, number: str) -> InboundTopicRecord | None:
        rows = await self.query(f"{INBOUND_TOPICS} WHERE t.{_TOPIC.number} = %s", number)
        if not rows:
            return None
        r = rows[0]
        return InboundTopicRecord(
            r["number"],
            r["description"],
            r["script_url"] or None,
            bool(r["hide_caller_number"]),
            r["grp"],
            int(r["service_level_seconds"]),
        )

    async def outbound_topics(self) -> list[OutboundTopicRecord]:
        o = tables.OutboundTopic
        rows = await self.query(
            f"SELECT {o.prefix} AS prefix, {o.description} AS description,"  # noqa: S608 - names from contracts.tables
            f" {o.script_url} AS script_url FROM {o.table} ORDER BY {o.prefix}"
        )
        return [
            OutboundTopicRecord(r["prefix"], r["description"], r["script_url"] or None)
            for r in rows
        ]

    async def units(self) -> list[UnitRecord]:
        u = tables.PbxUnit
        rows = await self.query(
            f"SELECT {u.name} AS name, {u.address} AS address, {u.ami_port} AS ami_port,"  # noqa: S608 - names from contracts.tables
            f" {u.ami_user} AS ami_user, {u.ami_secret} AS ami_secret,"
            f" {u.agency_ami_user} AS agency_ami_user, {u.agency_ami_secret} AS agency_ami_secret,"
            f" {u.ws_address} AS ws_address, {u.sip_address} AS sip_address,"
            f" {u.ami_tls_certificate} AS ami_tls_certificate"
            f" FROM {u.table} WHERE {u.enabled} ORDER BY {u.name}"
        )
        return [
            UnitRecord(
                r["name"],
                r["address"],
                r["ami_port"],
                *_agency_login(r),
                r["ws_address"],
                r["sip_address"],
                r["ami_tls_certificate"] or "",
            )
            for r in rows
        ]

    async def change_counter(self) -> int | None:
        """The admin's change counter (moves with every change of its model and every Apply);
        None when the admin's database has no counter (an older admin)."""
        try:
            c = tables.ChangeCounter
            rows = await self.query(
                f"SELECT {c.value} AS value FROM {c.table} WHERE {c.id} = %s",  # noqa: S608 - names from contracts.tables
                tables.CHANGE_COUNTER_ROW,
            )
        except pymysql.err.ProgrammingError as exc:
            if exc.args and exc.args[0] == NO_SUCH_TABLE:
                return None
            raise
        return int(rows[0]["value"]) if rows else None

    async def work_codes(self) -> WorkCodes:
        """The active pause reasons and dispositions with their groups, and the groups that
        require a disposition; none when the admin's database has no such tables (an older
        admin: operators then pause with free reasons)."""
        try:
            g = tables.Group
            required = await self.query(
                f"SELECT {g.name} AS name FROM {g.table} WHERE {g.disposition_required}"  # noqa: S608 - names from contracts.tables
            )
            p, pg = tables.PauseReason, tables.PauseReasonGroup
            reasons = await self._codes(p, pg, pg.reason_id, f"c.{p.max_seconds}")
            d, dg = tables.Disposition, tables.DispositionGroup
            dispositions = await self._codes(d, dg, dg.disposition_id, "NULL")
        except pymysql.err.ProgrammingError as exc:
            if exc.args and exc.args[0] == NO_SUCH_TABLE:
                return WorkCodes()
            raise
        except pymysql.err.OperationalError as exc:
            if exc.args and exc.args[0] == BAD_FIELD:
                return WorkCodes()
            raise
        return WorkCodes(reasons, dispositions, frozenset(r["name"] for r in required))

    async def _codes(
        self,
        c: type[tables.PauseReason] | type[tables.Disposition],
        link: type[tables.PauseReasonGroup] | type[tables.DispositionGroup],
        link_code: str,
        limit: str,
    ) -> tuple[WorkCodeRecord, ...]:
        """One kind of code, with the names of the groups it is offered to."""
        g = tables.Group
        rows = await self.query(
            f"SELECT c.{c.code} AS code, c.{c.name_ru} AS name_ru, c.{c.name_en} AS name_en,"  # noqa: S608 - names from contracts.tables
            f" {limit} AS max_seconds, g.{g.name} AS grp FROM {c.table} c"
            f" LEFT JOIN {link.table} l ON l.{link_code} = c.{c.id}"
            f" LEFT JOIN {g.table} g ON g.{g.id} = l.{link.group_id}"
            f" WHERE c.{c.active} ORDER BY c.{c.ordering}, c.{c.code}"
        )
        found: dict[str, WorkCodeRecord] = {}
        for r in rows:
            known = found.get(r["code"])
            groups = (known.groups if known else frozenset()) | (
                {r["grp"]} if r["grp"] else frozenset()
            )
            found[r["code"]] = WorkCodeRecord(
                r["code"], r["name_ru"], r["name_en"], frozenset(groups), r["max_seconds"]
            )
        return tuple(found.values())

    # the agency's own tables -----------------------------------------------------------------
    async def record_interval(self, interval: Interval) -> None:
        """Idempotent: an interval already written (its reply lost with the connection, so it
        is sent again) is not written twice; one operator's intervals never share a start."""
        started = _utc(interval.started_at)
        await self.query(
            "INSERT INTO agency_interval (agent, mode, state, reason, project, activity,"
            " started_at, ended_at, seconds) SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s FROM DUAL"
            " WHERE NOT EXISTS (SELECT 1 FROM agency_interval"
            " WHERE agent = %s AND started_at = %s AND state = %s)",
            interval.agent,
            interval.mode,
            interval.state,
            interval.reason,
            interval.project,
            interval.activity,
            started,
            _utc(interval.ended_at),
            max(0.0, interval.ended_at - interval.started_at),
            interval.agent,
            started,
            interval.state,
        )

    async def intervals(self, agent: str) -> list[dict[str, Any]]:
        return await self.query(
            "SELECT mode, state, reason, project, activity, started_at, ended_at, seconds"
            " FROM agency_interval WHERE agent = %s ORDER BY started_at, id",
            agent,
        )

    async def record_disposition(self, disposition: DispositionRecord) -> None:
        """Idempotent like ``record_interval``: one operator decides one disposition at a time."""
        decided = _utc(disposition.decided_at)
        await self.query(
            "INSERT INTO agency_disposition (agent, code, call_id, channel, group_name,"
            " decided_at) SELECT %s, %s, %s, %s, %s, %s FROM DUAL WHERE NOT EXISTS"
            " (SELECT 1 FROM agency_disposition WHERE agent = %s AND decided_at = %s)",
            disposition.agent,
            disposition.code,
            disposition.call_id,
            disposition.channel,
            disposition.group,
            decided,
            disposition.agent,
            decided,
        )

    async def dispositions(self, agent: str) -> list[dict[str, Any]]:
        return await self.query(
            "SELECT code, call_id, channel, group_name, decided_at FROM agency_disposition"
            " WHERE agent = %s ORDER BY decided_at, id",
            agent,
        )

    async def record_call(self, row: Mapping[str, Any]) -> None:
        """One leg of a call as it is now (``call_records.Column`` keys): idempotent, a replay
        of the same state (its reply lost with the connection) writes the same row again."""
        await self.query(UPSERT_CALL, *(row[c] for c in CALL_EVENT_COLUMNS))

    async def record_call_wrapup(self, call_id: str, agent: str, seconds: float) -> None:
        await self.query(
            f"UPDATE {CALL_TABLE} SET {CallColumn.wrapup_seconds} = %s"  # noqa: S608 - names from contracts
            f" WHERE {CallColumn.call_id} = %s AND {CallColumn.agent} = %s",
            seconds,
            call_id,
            agent,
        )

    async def record_call_disposition(self, call_id: str, agent: str, code: str) -> None:
        await self.query(
            f"UPDATE {CALL_TABLE} SET {CallColumn.disposition} = %s"  # noqa: S608 - names from contracts
            f" WHERE {CallColumn.call_id} = %s AND {CallColumn.agent} = %s",
            code,
            call_id,
            agent,
        )

    async def open_calls(self, unit: str) -> list[dict[str, Any]]:
        """The legs of ``unit`` not ended yet (an agency or unit restart left them so); the
        index ``agency_call_open`` finds them without reading the table's history."""
        return await self.query(
            f"SELECT * FROM {CALL_TABLE} WHERE {CallColumn.unit} = %s"  # noqa: S608 - names from contracts
            f" AND {CallColumn.ended_at} IS NULL",
            unit,
        )

    async def calls(self, call_id: str | None = None) -> list[dict[str, Any]]:
        """Call records, each leg in order (tests and tools)."""
        where = f" WHERE {CallColumn.call_id} = %s" if call_id else ""
        return await self.query(
            f"SELECT * FROM {CALL_TABLE}{where} ORDER BY {CallColumn.offered_at},"  # noqa: S608 - names from contracts
            f" {CallColumn.call_id}, {CallColumn.leg}",
            *((call_id,) if call_id else ()),
        )

    async def save_session(self, agent: str, data: dict[str, Any]) -> None:
        await self.query(
            "REPLACE INTO agency_session (agent, data, updated_at) VALUES (%s, %s, %s)",
            agent,
            json.dumps(data),
            datetime.now(UTC).replace(tzinfo=None),
        )

    async def drop_session(self, agent: str) -> None:
        await self.query("DELETE FROM agency_session WHERE agent = %s", agent)

    async def reserve_session(self, agent: str, limit: int) -> bool | None:
        """``agent``'s place among the operators logged in on every agency instance sharing
        this database (their ``agency_session`` rows), counted and taken under one server-wide
        lock: True when a row was made for it, False when it had one already (a resumed
        session), None when ``limit`` sessions of others exist (no place)."""
        async with self._order:
            return await asyncio.to_thread(self._reserve, agent, limit)

    def _reserve(self, agent: str, limit: int) -> bool | None:
        with self._cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, %s) AS got", (SESSIONS_LOCK, SESSIONS_LOCK_WAIT))
            if cursor.fetchone()["got"] != 1:
                raise TimeoutError(f"database lock {SESSIONS_LOCK} not granted")
            try:
                cursor.execute(
                    "SELECT COUNT(*) AS others FROM agency_session WHERE agent <> %s", (agent,)
                )
                if cursor.fetchone()["others"] >= limit:
                    return None
                cursor.execute(
                    "INSERT IGNORE INTO agency_session (agent, data, updated_at)"
                    " VALUES (%s, '{}', %s)",
                    (agent, datetime.now(UTC).replace(tzinfo=None)),
                )
                return bool(cursor.rowcount)
            finally:
                cursor.execute("SELECT RELEASE_LOCK(%s)", (SESSIONS_LOCK,))

    async def sessions(self) -> dict[str, dict[str, Any]]:
        rows = await self.query("SELECT agent, data FROM agency_session")
        saved = {r["agent"]: json.loads(r["data"]) for r in rows}
        return {agent: data for agent, data in saved.items() if data}  # not bare reservations


def _chunks(texts: list[str]) -> Iterator[list[str]]:
    """``texts`` in runs of at most ``BATCH_BYTES`` (one statement longer goes alone)."""
    chunk: list[str] = []
    size = 0
    for text in texts:
        if chunk and size + len(text) > BATCH_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 2
    if chunk:
        yield chunk


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
