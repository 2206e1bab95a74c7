"""One AMI manager per PBX unit: connect, log in, resync, keep alive, reconnect with back-off.

Every unit runs in its own task, so one unit down never blocks the others. After every
(re)connection the manager reads ``QueueStatus`` and ``CoreShowChannels`` and hands them to the
resync listeners before live events are trusted again. Actions are never re-sent: while the
link is down :meth:`send` raises :class:`NotConnectedError` at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from appliance.ami.codec import Message
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import (
    ActionTimeoutError,
    AMIError,
    ConnectFailedError,
    LoginFailedError,
    NotConnectedError,
    TLSRefusedError,
)
from appliance.ami.protocol import AMIProtocol
from appliance.ami.tls import CertificateTextError, PinnedCertificate

log = logging.getLogger(__name__)
STOP_RETRY_SECONDS = 1.0  # how long stop() lets a cancelled link task end before cancelling again
QUICK_RETRIES = 6  # failed attempts retried after reconnect_min before the back-off doubles
PING_PATIENCE = 6  # keepalive_timeouts a Ping may take while the unit keeps sending meanwhile


@dataclass(frozen=True)
class UnitAccess:
    """Where and how to reach one unit's AMI (the secret is never logged)."""

    name: str
    host: str
    port: int
    username: str
    secret: str
    ws_url: str = ""  # SIP over WebSocket URL given to the workplaces' phones
    sip_domain: str = ""
    tls_certificate: str = ""  # the unit's pinned AMI certificate (PEM); empty: plain TCP

    def __repr__(self) -> str:
        return f"UnitAccess(name={self.name!r}, host={self.host!r}, port={self.port})"


@dataclass(frozen=True)
class Snapshot:
    """What the unit reported right after a (re)connection."""

    unit: str
    queues: list[Message]
    channels: list[Message]


ResyncListener = Callable[[Snapshot], Awaitable[None]]
LostListener = Callable[[], None]


class LinkSettings(Protocol):
    """The manager's timings in seconds (the agency's ``ami`` configuration section)."""

    @property
    def connect_timeout(self) -> float: ...
    @property
    def keepalive_interval(self) -> float: ...
    @property
    def keepalive_timeout(self) -> float: ...
    @property
    def action_timeout(self) -> float: ...
    @property
    def reconnect_min(self) -> float: ...
    @property
    def reconnect_max(self) -> float: ...


class LinkState(enum.StrEnum):
    CONNECTING = "connecting"
    UP = "up"
    DOWN = "down"
    STOPPED = "stopped"


class AMIManager:
    def __init__(self, unit: UnitAccess, settings: LinkSettings, dispatcher: Dispatcher) -> None:
        self.unit = unit
        self.settings = settings
        self.dispatcher = dispatcher
        self.state = LinkState.DOWN
        self.last_error: str | None = None
        self.reconnects = 0
        self.events_received = 0
        self.action_latency: list[Callable[[str, float], None]] = []
        self._protocol: AMIProtocol | None = None
        self._resync_listeners: list[ResyncListener] = []
        self._lost_listeners: list[LostListener] = []
        self._lost: asyncio.Event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connected_once = False
        self._booted = asyncio.Event()
        dispatcher.subscribe("FullyBooted", lambda _event: self._booted.set())

    def on_resync(self, listener: ResyncListener) -> None:
        self._resync_listeners.append(listener)

    def on_lost(self, listener: LostListener) -> None:
        """Called when a link that was up goes down (not when the manager is stopped)."""
        self._lost_listeners.append(listener)

    @property
    def up(self) -> bool:
        return self.state is LinkState.UP

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"ami-{self.unit.name}")

    async def stop(self) -> None:
        """End the link; returns only when its task has ended.

        The connection is closed first, so whatever the task waits on fails. The task is then
        cancelled again until it ends: Python 3.11's ``asyncio.wait_for`` swallows a cancellation
        that arrives as the awaited reply does, and a single cancel could leave the link pinging
        forever (and whoever awaits ``stop``, such as the agency's unit registry, stuck)."""
        self.state = LinkState.STOPPED
        if self._protocol is not None:
            self._protocol.close()
        task = self._task
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_RETRY_SECONDS)
        if task is not None and not task.cancelled() and task.exception() is not None:
            log.warning("AMI %s: the link ended with %r", self.unit.name, task.exception())

    async def run(self) -> None:
        failures = 0
        while self.state is not LinkState.STOPPED:
            try:
                await self._session()
                failures = 0
            except (OSError, AMIError, TimeoutError) as exc:
                self.last_error = str(exc) or type(exc).__name__
                log.warning("AMI %s: %s", self.unit.name, self.last_error)
                failures += 1
            if self._stopping():
                return
            if self.state is LinkState.UP:
                self._link_lost()
            self.state = LinkState.DOWN
            await asyncio.sleep(self._backoff(failures))

    def _link_lost(self) -> None:
        for listener in self._lost_listeners:
            try:
                listener()
            except Exception:
                log.exception("AMI %s: link-lost listener failed", self.unit.name)

    def _stopping(self) -> bool:
        return self.state is LinkState.STOPPED

    def _backoff(self, failures: int) -> float:
        """The wait before the next attempt: ``reconnect_min`` for the first
        ``QUICK_RETRIES`` failures (a restarting unit answers again within seconds, and its
        closed port or "shutting down" costs a failure or two), then doubling up to
        ``reconnect_max`` (a unit that stays away is not hammered); with jitter."""
        doublings = max(0, failures - QUICK_RETRIES)
        base = min(self.settings.reconnect_max, self.settings.reconnect_min * 2**doublings)
        return float(base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security

    async def _session(self) -> None:
        self.state = LinkState.CONNECTING
        protocol = await self._connect()
        try:
            await protocol.login(
                self.unit.username, self.unit.secret, timeout=self.settings.connect_timeout
            )
            if self._connected_once:
                self.reconnects += 1
            self._connected_once = True
            await self._wait_booted()
            self.state = LinkState.UP
            self.last_error = None
            log.info("AMI %s: up (%s)", self.unit.name, protocol.banner)
            await self._resync(protocol)
            await self._keep_alive(protocol)
        finally:
            self.events_received += protocol.events_received
            protocol.events_received = 0
            protocol.close()
            self._protocol = None

    async def _wait_booted(self) -> None:
        """Asterisk accepts AMI logins before its modules are loaded; it says FullyBooted."""
        try:
            async with asyncio.timeout(self.settings.connect_timeout * 6):
                await self._booted.wait()
        except TimeoutError:
            log.warning("AMI %s: no FullyBooted event; resyncing anyway", self.unit.name)

    async def _connect(self) -> AMIProtocol:
        loop = asyncio.get_running_loop()
        self._lost = asyncio.Event()
        self._booted.clear()
        lost = self._lost
        tls = self._pinned()
        address = f"{self.unit.host}:{self.unit.port}"
        try:
            async with asyncio.timeout(self.settings.connect_timeout):
                transport, protocol = await loop.create_connection(
                    lambda: AMIProtocol(self.dispatcher, lambda _exc: lost.set()),
                    self.unit.host,
                    self.unit.port,
                    ssl=tls.context if tls is not None else None,
                    server_hostname="" if tls is not None else None,
                )
        except ssl.SSLCertVerificationError as exc:
            raise TLSRefusedError(address, exc, certificate=True) from exc
        except ssl.SSLError as exc:
            raise TLSRefusedError(address, exc, certificate=False) from exc
        if tls is not None and not tls.matches(transport.get_extra_info("ssl_object")):
            transport.abort()
            mismatch = ssl.SSLError("the unit's certificate is not the pinned one")
            raise TLSRefusedError(address, mismatch, certificate=True)
        self._protocol = protocol
        return protocol

    def _pinned(self) -> PinnedCertificate | None:
        """The unit's pinned certificate, or None for plain TCP (no certificate stored)."""
        if not self.unit.tls_certificate.strip():
            return None
        try:
            return PinnedCertificate(self.unit.tls_certificate)
        except (CertificateTextError, ssl.SSLError) as exc:
            address = f"{self.unit.host}:{self.unit.port}"
            unusable = ssl.SSLError("the unit's pinned AMI certificate is unusable")
            raise ConnectFailedError(address, unusable) from exc

    async def _resync(self, protocol: AMIProtocol) -> None:
        timeout = self.settings.action_timeout
        started = time.perf_counter()
        queues = (await protocol.send("QueueStatus", timeout=timeout))[1:]
        channels = (await protocol.send("CoreShowChannels", timeout=timeout))[1:]
        snapshot = Snapshot(self.unit.name, _entries(queues), _entries(channels))
        for listener in self._resync_listeners:
            try:
                await listener(snapshot)
            except Exception:
                log.exception("AMI %s: resync listener failed", self.unit.name)
        log.info(
            "AMI %s: resynced in %.3f s (%d queue entries, %d channels)",
            self.unit.name,
            time.perf_counter() - started,
            len(snapshot.queues),
            len(snapshot.channels),
        )

    async def _keep_alive(self, protocol: AMIProtocol) -> None:
        while not self._stopping():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.keepalive_interval):
                    await self._lost.wait()
            if self._lost.is_set():
                raise protocol.error or AMIError("connection closed by the unit")
            await self._ping(protocol)

    async def _ping(self, protocol: AMIProtocol) -> None:
        """A Ping answered. A unit that answers late but keeps sending meanwhile (events, other
        answers) is busy, not gone: a loaded Asterisk answers its manager's actions in turn, and
        dropping its link would lose the actions under way and cost a resync of every operator.
        The link is given up when a ``keepalive_timeout`` passes with nothing at all received,
        or after ``PING_PATIENCE`` of them in all."""
        timeout = self.settings.keepalive_timeout
        started = time.perf_counter()
        ping = asyncio.ensure_future(protocol.action("Ping", timeout=timeout * PING_PATIENCE))
        try:
            while True:
                received = protocol.bytes_received
                done, _ = await asyncio.wait({ping}, timeout=timeout)
                if done:
                    ping.result()
                    break
                if protocol.bytes_received == received:
                    raise ActionTimeoutError(
                        f"Ping: no response and nothing else received in {timeout:g}s"
                    )
        finally:
            ping.cancel()
        if (elapsed := time.perf_counter() - started) > timeout:
            log.info(
                "AMI %s: Ping answered after %.1f s (the unit is busy)", self.unit.name, elapsed
            )

    # actions ---------------------------------------------------------------------------------
    async def send(self, action: str, headers: dict[str, str] | None = None) -> list[Message]:
        """Send one action on the live link; never queued, never re-sent."""
        protocol = self._protocol
        if protocol is None or self.state is not LinkState.UP:
            raise NotConnectedError(f"{action}: AMI link to {self.unit.name} is {self.state.value}")
        started = time.perf_counter()
        try:
            return await protocol.send(action, headers, timeout=self.settings.action_timeout)
        finally:
            elapsed = time.perf_counter() - started
            for observe in self.action_latency:
                observe(action, elapsed)

    async def action(self, action: str, headers: dict[str, str] | None = None) -> Message:
        return (await self.send(action, headers))[0]

    def total_events(self) -> int:
        protocol = self._protocol
        return self.events_received + (protocol.events_received if protocol else 0)


def _entries(events: list[Message]) -> list[Message]:
    """Events of a list without its closing ``...Complete`` event."""
    return [e for e in events if e.get("EventList", "").lower() != "complete"]


__all__ = [
    "AMIManager",
    "LinkSettings",
    "LinkState",
    "LoginFailedError",
    "Snapshot",
    "UnitAccess",
]
