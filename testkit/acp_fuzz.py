"""Bad ACP input at volume against a running agency: many sessions at once, each sending
generated messages (valid, malformed, oversized, out of order, unknown, wrong types, binary),
every answer checked against the protocol, and a control terminal logged in throughout whose
state changes must keep round-tripping.

``fuzz(url, ...)`` returns a :class:`FuzzReport`; ``FuzzReport.problems()`` lists whatever broke
the protocol (no answer, a wrong code, an id not echoed, an ``internal`` error, the control
terminal failing). The generator is seeded: a run is repeatable message for message.

Used by ``tests/integration/agency/test_acp_fuzz.py`` (a few thousand messages) and by
``bench/acp_fuzz.py`` (``make bench-acp-fuzz``: 100,000 and more).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema

SCHEMA = Path(__file__).resolve().parents[1] / "appliance" / "agency" / "acp" / "schema.json"

# The documented error codes (appliance/agency/acp/schema.json, ``error.*``).
ERROR_CODES = frozenset(
    {
        "malformed",
        "oversized",
        "unknown_action",
        "invalid_data",
        "not_logged_in",
        "login_failed",
        "rate_limited",
        "not_allowed",
        "max_clients",
        "license_limit",
        "license_expired",
        "maintenance",
        "pbx_unavailable",
        "internal",
    }
)
MAX_MESSAGE_BYTES = 65536  # the agency's default acp.max_message_bytes
CLOSED_TOO_BIG = "closed 1009"  # the WebSocket closed as RFC 6455 says for a frame too big
LOGIN_TIMEOUT_MARGIN = 4.0  # seconds: well within the agency's default acp.login_timeout (10)
ACTIONS = tuple(
    sorted(
        k.partition(".")[2]
        for k in json.loads(SCHEMA.read_text())["$defs"]
        if k.startswith("action.")
    )
)


@dataclass(frozen=True)
class Credentials:
    agent: str
    password: str
    workplace: str

    def login(self) -> dict[str, str]:
        return {"agent": self.agent, "password": self.password, "workplace": self.workplace}


@dataclass
class Probe:
    """One generated message and the answers the protocol allows for it."""

    kind: str  # what the generator meant (the report counts per kind)
    frame: str | bytes  # text frame, or bytes for a binary frame
    expect: frozenset[str]  # "result" and/or error codes
    id: int | str | None = None  # the id the answer must echo (None: no usable id sent)


@dataclass
class FuzzReport:
    sent: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # "result" or the error code
    kinds: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # a few failures, for the reader
    connections: int = 0
    control_round_trips: int = 0
    control_failures: int = 0
    seconds: float = 0.0

    def fail(self, what: str, detail: str) -> None:
        self.failures[what] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{what}: {detail[:300]}")

    def answered(self) -> int:
        return sum(self.answers.values())

    def p99(self) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def problems(self) -> list[str]:
        found = [f"{what}: {count}" for what, count in sorted(self.failures.items())]
        if self.answers.get("internal"):
            found.append(f"internal errors: {self.answers['internal']}")
        if self.control_failures or not self.control_round_trips:
            found.append(
                f"control terminal: {self.control_round_trips} round trips,"
                f" {self.control_failures} failed"
            )
        return found + self.samples

    def summary(self) -> str:
        lines = [
            f"messages sent       {self.sent}",
            f"answered            {self.answered()}",
            f"connections         {self.connections}",
            f"elapsed             {self.seconds:.1f} s",
            f"answer time p99     {self.p99() * 1000:.1f} ms",
            f"control round trips {self.control_round_trips} (failed {self.control_failures})",
            "answers per code:",
            *(f"  {code:<20} {count}" for code, count in sorted(self.answers.items())),
            "messages per kind:",
            *(f"  {kind:<20} {count}" for kind, count in sorted(self.kinds.items())),
            f"protocol failures   {sum(self.failures.values())}",
            *(f"  {line}" for line in self.samples),
        ]
        return "\n".join(lines)


# --- the generator ------------------------------------------------------------------------


def _action(name: str, data: Any = None, message_id: Any = None, **extra: Any) -> str:
    message: dict[str, Any] = {"type": "action", "name": name}
    if message_id is not None:
        message["id"] = message_id
    if data is not None:
        message["data"] = data
    message.update(extra)
    return json.dumps(message, ensure_ascii=False)


@functools.cache
def _data_validator(name: str) -> Any:
    schema = json.loads(SCHEMA.read_text())["$defs"][f"action.{name}"]["properties"]["data"]
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _message_validator(key: str) -> Any:
    """The schema of one outgoing message (``event.ping.result``, ``error.malformed``), or None
    when the protocol has no such message."""
    defs = json.loads(SCHEMA.read_text())["$defs"]
    if key not in defs:
        return None
    return jsonschema.Draft202012Validator({"$defs": defs, "$ref": f"#/$defs/{key}"})


def _junk_text(rng: random.Random, size: int) -> str:
    alphabet = 'abcXYZ{}[]":,0123456789 \\\t\nяжЁ€😀\u0000'
    return "".join(rng.choice(alphabet) for _ in range(size))


def _valid_data(rng: random.Random, name: str) -> dict[str, Any]:
    """Data that matches the action's schema (the session may still refuse it)."""
    number = rng.choice(["100", "+74951234567", "*21#", "201", "9" * 32])
    call_id = rng.choice(["1700000000.1", "nope", "x" * 40])
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "set_mode": lambda: {"mode": rng.choice(["inbound", "outbound", "offline"])},
        "set_state": lambda: rng.choice(
            [{"state": "ready"}, {"state": "pause", "reason": rng.choice(["lunch", "fuzz-1"])}]
        ),
        "set_disposition": lambda: {"code": rng.choice(["sale", "no_answer", "x"])},
        "dial": lambda: {"number": number, "topic": rng.choice(["111", "999"])},
        "hangup": lambda: {"call_id": call_id},
        "hold": lambda: {"call_id": call_id},
        "unhold": lambda: {"call_id": call_id},
        "transfer_blind": lambda: {"number": number, "call_id": call_id},
        "transfer_consult": lambda: {"number": number},
        "conference": lambda: {"number": number},
        "dtmf": lambda: {"digits": rng.choice(["1", "*#0", "ABCD"]), "call_id": call_id},
        "auto_answer": lambda: {"enabled": rng.random() < 0.5},
        "task_start": lambda: {
            "project": rng.choice(["P-17", "проект", "x" * 64]),
            "activity": rng.choice(["mail", "😀", "a"]),
        },
    }
    return makers[name]() if name in makers else {}


WRONG_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5,
    10**30,
    "",
    "1234\n",
    "\u0000",
    [],
    {},
    ["x"],
    {"a": 1},
    "x" * 500,
)


def _wrong_data(rng: random.Random, name: str) -> dict[str, Any]:
    """Data that breaks the action's schema: a wrong type or value, or an unknown field."""
    data = _valid_data(rng, name)
    if name == "login":
        data = {"agent": "101", "password": "x", "workplace": "E8-03-9A-B5-E0-C9"}
    if data and rng.random() < 0.6:
        key = rng.choice(sorted(data))
        free_text = key in {"password", "call_id", "project", "activity"}  # any string fits
        choices = [v for v in WRONG_VALUES if not (free_text and isinstance(v, str))]
        value = rng.choice(choices)
        if value == data[key]:
            value = [value]
        data[key] = value
    else:
        data[rng.choice(["extra", "Number", "ид", "__proto__"])] = rng.choice(WRONG_VALUES)
    return data


class Generator:
    """Probes for a session; ``logged_in`` tells which answers the protocol allows."""

    def __init__(self, seed: int, *, oversized_max: int = 3 * MAX_MESSAGE_BYTES) -> None:
        self.rng = random.Random(seed)
        self.ids = 0
        self.oversized_max = oversized_max

    def _id(self) -> int | str:
        self.ids += 1
        return self.ids if self.rng.random() < 0.7 else f"q-{self.ids}"

    def probe(self, logged_in: bool) -> Probe:
        kinds = LOGGED_IN_KINDS if logged_in else ANONYMOUS_KINDS
        kind = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        make: Callable[[bool], Probe] = getattr(self, f"_{kind}")
        probe = make(logged_in)
        probe.kind = kind
        return probe

    # every session -----------------------------------------------------------------------
    def _malformed_json(self, _logged_in: bool) -> Probe:
        rng = self.rng
        frame = rng.choice(
            [
                "{",
                "",
                " ",
                "null",
                "[]",
                "1",
                '"action"',
                "{'type': 'action'}",
                '{"type":"action","name":"ping"',
                '{"type":"action","name":"ping",}',
                "NaN",
                "[" * 5000 + "]" * 5000,
                '{"a":' * 3000 + "1" + "}" * 3000,
                "1" * 5000,
                _junk_text(rng, rng.randint(1, 300)),
                '{"type":"action","name":"ping"}' * 2,
                "\ufeff{}",
            ]
        )
        return Probe("", frame, frozenset({"malformed"}))

    def _envelope(self, _logged_in: bool) -> Probe:
        rng = self.rng
        message_id = self._id()
        frame, with_id = rng.choice(
            [
                (_action("ping", {}, message_id, extra=1), True),
                (json.dumps({"type": "event", "name": "ping", "id": message_id}), True),
                (json.dumps({"name": "ping", "id": message_id}), True),
                (json.dumps({"type": "action", "id": message_id}), True),
                (json.dumps({"type": "action", "name": 7, "id": message_id}), True),
                (json.dumps({"type": "action", "name": None, "id": message_id}), True),
                (_action("ping", [], message_id), True),
                (_action("ping", "x", message_id), True),
                (
                    json.dumps({"type": "action", "name": "ping", "id": message_id, "data": None}),
                    True,
                ),
                (_action("ping", {}, 1.5), False),
                (_action("ping", {}, True), False),
                (_action("ping", {}, "i" * 65), False),
                (_action("ping", {}, [1]), False),
                (_action("ping", {}, None, id=None), False),
            ]
        )
        return Probe("", frame, frozenset({"malformed"}), message_id if with_id else None)

    def _unknown_action(self, _logged_in: bool) -> Probe:
        rng = self.rng
        message_id = self._id()
        name = rng.choice(
            [
                *("fly", "", "LOGIN", "ping ", "Ping", "x" * 300, "__init__", "login.result"),
                *("ид", _junk_text(rng, 12)),
            ]
        )
        return Probe("", _action(name, {}, message_id), frozenset({"unknown_action"}), message_id)

    def _wrong_types(self, _logged_in: bool) -> Probe:
        message_id = self._id()
        name = self.rng.choice(ACTIONS)
        data = _wrong_data(self.rng, name)
        while _data_validator(name).is_valid(data):  # a wrong value that happens to fit
            data = _wrong_data(self.rng, name)
        return Probe("", _action(name, data, message_id), frozenset({"invalid_data"}), message_id)

    def _oversized(self, _logged_in: bool) -> Probe:
        size = self.rng.randint(MAX_MESSAGE_BYTES + 1, self.oversized_max)
        padding = "я" * (size // 2 + 1) if self.rng.random() < 0.5 else "x" * size
        frame = _action("ping", {"pad": padding}, self._id())
        return Probe("", frame, frozenset({"oversized"}))

    def _huge(self, _logged_in: bool) -> Probe:
        """Past the WebSocket's own frame limit (16 x acp.max_message_bytes): closed with
        1009 (message too big, RFC 6455) before any JSON is read."""
        frame = _action("ping", {"pad": "x" * (17 * MAX_MESSAGE_BYTES)}, self._id())
        return Probe("", frame, frozenset({CLOSED_TOO_BIG}))

    def _binary(self, _logged_in: bool) -> Probe:
        rng = self.rng
        payload = rng.choice(
            [
                b'{"type":"action","name":"ping","data":{}}',
                bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200))),
                b"",
            ]
        )
        return Probe("", payload, frozenset({"malformed"}))

    def _bad_unicode(self, _logged_in: bool) -> Probe:
        """Lone surrogates in \\u escapes: JSON text, but no UTF-8 text in it."""
        rng = self.rng
        self._id()
        message_id = self.ids
        frame = rng.choice(
            [
                '{"type":"action","name":"\\ud800","id":ID,"data":{}}',
                '{"type":"action","name":"ping","id":"\\udfff","data":{}}',
                '{"type":"action","name":"task_start","id":ID,"data":'
                '{"project":"\\ud83d","activity":"a"}}',
                '{"type":"action","name":"login","id":ID,"data":{"agent":"101",'
                '"password":"\\udc80","workplace":"E8-03-9A-B5-E0-C9"}}',
            ]
        )
        frame = frame.replace("ID", str(message_id))
        with_id = '"id":"\\udfff"' not in frame  # an id that is no text is not echoed
        return Probe("", frame, frozenset({"malformed"}), message_id if with_id else None)

    # before login ------------------------------------------------------------------------
    def _before_login(self, _logged_in: bool) -> Probe:
        message_id = self._id()
        name = self.rng.choice([a for a in ACTIONS if a != "login"])
        frame = _action(name, _valid_data(self.rng, name), message_id)
        return Probe("", frame, frozenset({"not_logged_in"}), message_id)

    def _wrong_login(self, _logged_in: bool) -> Probe:
        rng = self.rng
        message_id = self._id()
        data = {
            "agent": str(rng.randint(90000, 99999)),
            "workplace": rng.choice(["E8-03-9A-B5-E0-C9", "02:00:00:00:00:99"]),
            "lang": rng.choice(["ru", "en"]),
        }
        if rng.random() < 0.5:
            data["password"] = rng.choice(["x", "s3cret-pass", "пароль" * 10])
        else:  # a resume token of no session
            data["resume"] = "".join(rng.choice("AZaz09_-") for _ in range(43))
        return Probe(
            "",
            _action("login", data, message_id),
            frozenset({"login_failed", "rate_limited"}),
            message_id,
        )

    # logged in ---------------------------------------------------------------------------
    def _double_login(self, _logged_in: bool) -> Probe:
        message_id = self._id()
        data = {"agent": "101", "password": "x", "workplace": "E8-03-9A-B5-E0-C9"}
        return Probe("", _action("login", data, message_id), frozenset({"not_allowed"}), message_id)

    def _valid_action(self, _logged_in: bool) -> Probe:
        """A valid action, possibly out of order (a call that does not exist, a transfer
        never started): its result or a refusal the protocol documents."""
        message_id = self._id()
        name = self.rng.choice([a for a in ACTIONS if a not in {"login", "logout"}])
        frame = _action(name, _valid_data(self.rng, name), message_id)
        allowed = {"result", "not_allowed", "invalid_data", "pbx_unavailable"}
        return Probe("", frame, frozenset(allowed), message_id)


ANONYMOUS_KINDS = (
    ("malformed_json", 12),
    ("envelope", 10),
    ("unknown_action", 10),
    ("wrong_types", 14),
    ("oversized", 2),
    ("huge", 0.2),
    ("binary", 6),
    ("bad_unicode", 4),
    ("before_login", 22),
    ("wrong_login", 8),
)
# no "huge" here: the connection it closes could not log in again while the wrong logins of
# the anonymous sessions (all from 127.0.0.1) keep the address rate-limited
LOGGED_IN_KINDS = (
    ("malformed_json", 8),
    ("envelope", 8),
    ("unknown_action", 8),
    ("wrong_types", 16),
    ("oversized", 2),
    ("binary", 4),
    ("bad_unicode", 4),
    ("double_login", 6),
    ("valid_action", 44),
)


# --- the driver ---------------------------------------------------------------------------


def _is_answer(message: dict[str, Any]) -> bool:
    kind, name = message.get("type"), str(message.get("name", ""))
    return kind == "error" or (kind == "event" and name.endswith(".result"))


def check_answer(probe: Probe, answer: dict[str, Any], report: FuzzReport) -> None:
    """Count ``answer`` and note how it breaks the protocol for ``probe``, if it does."""
    kind = answer.get("type")
    code = "result" if kind == "event" else str(answer.get("name"))
    if kind == "closed":
        report.answers[code] += 1
        if code not in probe.expect:
            report.fail(f"{probe.kind}: connection closed", f"{code}: {str(probe.frame)[:120]}")
        return
    report.answers[code] += 1
    validator = _message_validator(f"{kind}.{answer.get('name')}")
    if validator is None:
        report.fail("undocumented message", json.dumps(answer)[:200])
    else:
        error = next(iter(validator.iter_errors(answer)), None)
        if error is not None:
            report.fail(f"{answer.get('name')}: not as documented", error.message[:200])
    data = answer.get("data")
    if kind == "error":
        if code not in ERROR_CODES:
            report.fail("undocumented error code", f"{code} for {probe.kind}")
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            report.fail("error without a message", json.dumps(answer)[:200])
        elif not data["message"]:
            report.fail("error with an empty message", json.dumps(answer)[:200])
    if code not in probe.expect:
        frame = probe.frame[:120] if isinstance(probe.frame, str) else repr(probe.frame[:60])
        report.fail(f"{probe.kind}: unexpected answer", f"{code} to {frame!r}: {answer}")
    if probe.id is not None and answer.get("id") != probe.id:
        report.fail(f"{probe.kind}: id not echoed", f"sent {probe.id!r}, got {answer}")


class _Session:
    def __init__(  # noqa: PLR0917 - one private caller
        self,
        http: aiohttp.ClientSession,
        url: str,
        report: FuzzReport,
        generator: Generator,
        credentials: Credentials | None,
        timeout: float,
    ) -> None:
        self.http = http
        self.url = url
        self.report = report
        self.generator = generator
        self.credentials = credentials
        self.timeout = timeout
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.logged_in = False
        self.last_attempt = 0.0  # when it last connected or tried a login (monotonic)

    async def connect(self) -> None:
        self.ws = await self.http.ws_connect(
            f"{self.url}/ws", max_msg_size=0, headers={"Accept-Language": "ru"}
        )
        self.report.connections += 1
        self.logged_in = False
        self.last_attempt = time.monotonic()
        if self.credentials is not None:
            frame = _action("login", self.credentials.login(), "login")
            answer = await self.exchange(frame)
            if answer is None or answer.get("name") != "login.result":
                self.report.fail("fuzz operator login", str(answer))
            else:
                self.logged_in = True

    async def exchange(self, frame: str | bytes) -> dict[str, Any] | None:
        """Send one frame, return its answer (events in between skipped); None: closed."""
        assert self.ws is not None
        if isinstance(frame, bytes):
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(frame)
        while True:
            message = await asyncio.wait_for(self.ws.receive(), self.timeout)
            if message.type is not aiohttp.WSMsgType.TEXT:
                code = self.ws.close_code
                return {"type": "closed", "name": f"closed {code}"} if code else None
            value = json.loads(message.data)
            if _is_answer(value):
                return dict(value)

    async def run(self, count: int, reconnect_every: int) -> None:
        if self.ws is None:
            await self.connect()
        for index in range(count):
            # an anonymous connection is closed by the agency when it has not tried to log in
            # for acp.login_timeout (10 s): such a one starts again in time
            stale = time.monotonic() - self.last_attempt > LOGIN_TIMEOUT_MARGIN
            if not self.logged_in and (stale or (index and index % reconnect_every == 0)):
                await self.close()
                await self.connect()
            probe = self.generator.probe(self.logged_in)
            if probe.kind == "wrong_login":
                self.last_attempt = time.monotonic()
            self.report.sent += 1
            self.report.kinds[probe.kind] += 1
            started = time.perf_counter()
            try:
                answer = await self.exchange(probe.frame)
            except TimeoutError:
                self.report.fail(f"{probe.kind}: no answer in time", str(probe.frame)[:120])
                await self.close()
                await self.connect()
                continue
            if answer is None:
                self.report.fail(f"{probe.kind}: connection closed", str(probe.frame)[:120])
                await self.connect()
                continue
            self.report.latencies.append(time.perf_counter() - started)
            check_answer(probe, answer, self.report)
            if answer["type"] == "closed":
                await self.close()
                await self.connect()
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _control(
    http: aiohttp.ClientSession,
    url: str,
    credentials: Credentials,
    report: FuzzReport,
    stop: asyncio.Event,
) -> None:
    """A terminal logged in throughout: pause/ready changes must keep round-tripping, and it
    is never logged out."""
    ws = await http.ws_connect(f"{url}/ws")
    ids = 0

    async def call(name: str, data: dict[str, Any]) -> dict[str, Any]:
        nonlocal ids
        ids += 1
        await ws.send_str(_action(name, data, ids))
        while True:
            message = await asyncio.wait_for(ws.receive(), 30)
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"control terminal closed: {message}")
            value = dict(json.loads(message.data))
            if value.get("name") == "logged_out":
                raise ConnectionError(f"control terminal logged out: {value}")
            if value.get("id") == ids:
                return value

    try:
        answer = await call("login", credentials.login())
        if answer.get("name") != "login.result":
            raise ConnectionError(f"control login: {answer}")
        if answer["data"]["session"]["mode"] != "inbound":
            await call("set_mode", {"mode": "inbound"})
        wanted = ("pause", "ready")
        while not stop.is_set():
            state = wanted[report.control_round_trips % 2]
            data = {"state": state, **({"reason": "fuzz"} if state == "pause" else {})}
            answer = await call("set_state", data)
            if answer.get("name") != "set_state.result" or answer["data"]["state"] != state:
                report.control_failures += 1
                report.fail("control terminal", f"set_state {state}: {answer}")
            report.control_round_trips += 1
            with_time = await call("ping", {})
            if with_time.get("name") != "ping.result":
                report.control_failures += 1
                report.fail("control terminal", f"ping: {with_time}")
            await asyncio.sleep(0.2)
    except (ConnectionError, TimeoutError, aiohttp.ClientError) as exc:
        report.control_failures += 1
        report.fail("control terminal", repr(exc))
    finally:
        await ws.close()


async def fuzz(
    url: str,
    *,
    messages: int,
    sessions: int,
    control: Credentials,
    operators: list[Credentials] = (),  # type: ignore[assignment]
    seed: int = 14,
    timeout: float = 30.0,
    reconnect_every: int = 200,
    progress: Callable[[FuzzReport], None] | None = None,
) -> FuzzReport:
    """Send ``messages`` generated messages over ``sessions`` connections at once (one per
    operator of ``operators`` logged in, the others anonymous) while ``control`` works."""
    report = FuzzReport()
    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        stop = asyncio.Event()
        control_task = asyncio.create_task(_control(http, url, control, report, stop))
        while not report.control_round_trips and not control_task.done():
            await asyncio.sleep(0.05)
        per_session, extra = divmod(messages, sessions)
        runs = []
        for index in range(sessions):
            credentials = operators[index] if index < len(operators) else None
            session = _Session(
                http, url, report, Generator(seed * 1000 + index), credentials, timeout
            )
            if credentials is not None:  # logged in before the wrong logins rate-limit us
                await session.connect()
            runs.append(session.run(per_session + (index < extra), reconnect_every))
        watcher = None
        if progress is not None:
            watcher = asyncio.create_task(_watch(report, progress))
        outcomes = await asyncio.gather(*runs, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                report.fail("session crashed", repr(outcome))
        if watcher is not None:
            watcher.cancel()
        stop.set()
        await control_task
    report.seconds = time.perf_counter() - started
    return report


async def _watch(report: FuzzReport, progress: Callable[[FuzzReport], None]) -> None:
    while True:
        await asyncio.sleep(5)
        progress(report)


# --- the call center it runs against --------------------------------------------------------

CONTROL = Credentials("101", "s3cret-pass", "E8-03-9A-B5-E0-C9")


def fuzz_operators(count: int) -> list[Credentials]:
    """The operators the fuzzing sessions log in as (the control terminal is ``CONTROL``)."""
    return [
        Credentials(f"{110 + index}", CONTROL.password, f"02-00-00-00-0F-{index:02X}")
        for index in range(count)
    ]


@contextlib.contextmanager
def fuzz_model(unit: Any, operators: int = 4) -> Iterator[list[Credentials]]:
    """The admin's model for a fuzz run on ``unit`` (Django configured on the admin's database):
    one group and inbound topic, an outbound topic, ``CONTROL`` and ``operators`` more, each
    with a workplace; removed again afterwards. Yields the fuzzing operators' credentials."""
    from appliance.admin.callcenter.models import (
        Group,
        Membership,
        Operator,
        OutboundTopic,
        PbxUnit,
        Workplace,
    )

    group = Group.objects.create(name="fuzz", description="Fuzz line")
    hashed = Operator(agent_number="100")
    hashed.set_password(CONTROL.password)
    created: list[Any] = [group]
    people = [CONTROL, *fuzz_operators(operators)]
    for person in people:
        operator = Operator.objects.create(
            agent_number=person.agent, password=hashed.password, wrapup_time=2
        )
        Membership.objects.create(operator=operator, group=group, priority=1)
        workplace = Workplace.objects.create(
            number=f"{200 + people.index(person) + 1}", mac=person.workplace
        )
        created += [operator, workplace]
    created.append(OutboundTopic.objects.create(prefix="111", description="Sales"))
    created.append(
        PbxUnit.objects.create(
            name="unit1",
            address=unit.ami_host,
            ami_port=unit.ami_port,
            ami_user=unit.ami_user,
            ami_secret=unit.ami_secret,
            ws_address="wss://uzor.test/sip",
        )
    )
    try:
        yield people[1:]
    finally:
        for obj in reversed(created):
            obj.delete()
