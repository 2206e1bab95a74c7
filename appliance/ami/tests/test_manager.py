import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

import pytest

from appliance.ami.codec import Message
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import NotConnectedError
from appliance.ami.manager import PING_PATIENCE, AMIManager, LinkState, Snapshot, UnitAccess
from appliance.ami.tests.fake_ami import FakeAMI, Reply, default_reply


@dataclass(frozen=True)
class Timings:
    """The manager's settings (the agency passes its ``ami`` configuration section)."""

    connect_timeout: float
    keepalive_interval: float
    keepalive_timeout: float
    action_timeout: float
    reconnect_min: float
    reconnect_max: float


FAST = Timings(
    connect_timeout=1,
    keepalive_interval=0.1,
    keepalive_timeout=0.2,
    action_timeout=1,
    reconnect_min=0.02,
    reconnect_max=0.1,
)


async def wait_for(check, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


@pytest.fixture
async def server():
    fake = FakeAMI()
    await fake.start()
    yield fake
    await fake.stop()


def make_manager(
    port: int,
    secret: str = "s3cret",  # noqa: S107
    timings: Timings = FAST,
) -> tuple[AMIManager, list[Snapshot]]:
    unit = UnitAccess("pbx1", "127.0.0.1", port, "agency", secret)
    manager = AMIManager(unit, timings, Dispatcher())
    snapshots: list[Snapshot] = []

    async def record(snapshot: Snapshot) -> None:
        snapshots.append(snapshot)

    manager.on_resync(record)
    return manager, snapshots


async def test_it_resyncs_after_login_and_dispatches_events(server: FakeAMI) -> None:
    manager, snapshots = make_manager(server.port)
    seen: list[Message] = []
    manager.dispatcher.subscribe("Hangup", seen.append)
    manager.start()
    await wait_for(lambda: manager.up)
    assert snapshots[0].queues[1]["Name"] == "101"
    assert snapshots[0].channels == []
    server.emit({"Event": "Hangup", "Channel": "PJSIP/101-1"})
    server.emit({"Event": "Newstate"})
    await wait_for(lambda: len(seen) == 1)
    await wait_for(lambda: manager.total_events() == 3)  # FullyBooted, Hangup, Newstate
    await manager.stop()
    assert manager.state is LinkState.STOPPED


async def test_it_keeps_the_link_alive_with_ping(server: FakeAMI) -> None:
    manager, _ = make_manager(server.port)
    manager.start()
    await wait_for(lambda: server.names().count("Ping") >= 2)
    await manager.stop()


def late_pings(held: list[str]) -> Reply:
    """Asterisk's replies, but Pings are answered only when the test says (``answer_pings``)."""

    def reply(action: Message) -> list[Message]:
        if action["Action"].lower() == "ping":
            held.append(action.get("ActionID", ""))
            return []
        return default_reply(action)

    return reply


def answer_pings(server: FakeAMI, held: list[str]) -> None:
    for action_id in held:
        server.emit({"Response": "Success", "Ping": "Pong", "ActionID": action_id})
    held.clear()


# a keep-alive timeout longer than a busy test machine's stalls: the event loop of the test
# (its events) and of the manager (its Ping wait) is the same, one stall delays both
PATIENT = replace(FAST, keepalive_timeout=0.5)


@dataclass
class LatePings:
    server: FakeAMI
    manager: AMIManager
    snapshots: list[Snapshot]
    held: list[str]  # the ActionIDs of the Pings not answered yet

    async def events_until(self, done: Callable[[], bool], timeout: float) -> None:
        """The unit keeps sending events (and answers no Ping) until ``done()``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            assert loop.time() < deadline, "condition not reached"
            self.server.emit({"Event": "Newstate"})
            await asyncio.sleep(0.05)


@pytest.fixture
async def late_ping_unit() -> AsyncIterator[LatePings]:
    """A unit whose first Ping is waiting for its answer."""
    held: list[str] = []
    server = FakeAMI(late_pings(held))
    await server.start()
    manager, snapshots = make_manager(server.port, timings=PATIENT)
    manager.start()
    try:
        await wait_for(lambda: held)
        yield LatePings(server, manager, snapshots, held)
    finally:
        await manager.stop()
        await server.stop()


async def test_a_busy_unit_that_answers_a_ping_late_but_keeps_sending_keeps_its_link(
    late_ping_unit: LatePings,
) -> None:
    """Found under load (bench.load at 50 calls/s): Asterisk answered a Ping after the keep-alive
    timeout while its events kept coming; the link was dropped, the actions under way were lost
    and every operator was reconciled again."""
    unit, manager = late_ping_unit, late_ping_unit.manager
    loop = asyncio.get_running_loop()
    later = loop.time() + 3 * PATIENT.keepalive_timeout
    await unit.events_until(lambda: loop.time() > later, timeout=10)
    assert manager.up
    answer_pings(unit.server, unit.held)
    await wait_for(lambda: unit.held)  # the next Ping: the link went on
    answer_pings(unit.server, unit.held)
    assert manager.up
    assert manager.reconnects == 0
    assert len(unit.snapshots) == 1
    assert unit.server.names().count("Login") == 1


async def test_a_unit_that_sends_nothing_after_a_ping_loses_its_link(
    late_ping_unit: LatePings, caplog: pytest.LogCaptureFixture
) -> None:
    manager = late_ping_unit.manager
    await wait_for(lambda: manager.reconnects == 1 and manager.up)
    quiet = PATIENT.keepalive_timeout
    assert f"AMI pbx1: Ping: no response and nothing else received in {quiet:g}s" in caplog.text
    assert late_ping_unit.server.names().count("Login") == 2


async def test_a_ping_is_given_up_after_its_patience_even_while_the_unit_sends(
    late_ping_unit: LatePings, caplog: pytest.LogCaptureFixture
) -> None:
    limit = PING_PATIENCE * PATIENT.keepalive_timeout
    await late_ping_unit.events_until(lambda: late_ping_unit.manager.reconnects > 0, 3 * limit)
    assert f"AMI pbx1: Ping: no response in {limit:g}s" in caplog.text


async def test_it_reconnects_and_resyncs_without_resending(server: FakeAMI) -> None:
    manager, snapshots = make_manager(server.port)
    manager.start()
    await wait_for(lambda: manager.up)
    pending = asyncio.create_task(manager.action("Silent"))
    await asyncio.sleep(0.02)
    server.drop_all()
    with pytest.raises(Exception, match="not re-sent"):
        await pending
    await wait_for(lambda: manager.up and len(snapshots) == 2)
    assert manager.reconnects == 1
    assert server.names().count("Silent") == 1
    await manager.stop()


async def test_it_refuses_actions_while_down(server: FakeAMI) -> None:
    manager, _ = make_manager(server.port, secret="wrong")
    manager.start()
    await wait_for(lambda: server.names().count("Login") >= 2)
    assert manager.last_error is not None and "refused" in manager.last_error
    with pytest.raises(NotConnectedError):
        await manager.action("QueueAdd")
    await manager.stop()


async def test_a_dead_unit_does_not_block_another(server: FakeAMI) -> None:
    dead, _ = make_manager(1)  # nothing listens on port 1
    alive, _ = make_manager(server.port)
    dead.start()
    alive.start()
    await wait_for(lambda: alive.up)
    assert not dead.up
    await dead.stop()
    await alive.stop()


async def test_a_failing_handler_does_not_stop_others(server: FakeAMI) -> None:
    manager, _ = make_manager(server.port)
    seen: list[Message] = []

    def broken(_message: Message) -> None:
        raise RuntimeError("boom")

    manager.dispatcher.subscribe("Hangup", broken)
    manager.dispatcher.subscribe("Hangup", seen.append)
    manager.start()
    await wait_for(lambda: manager.up)
    server.emit({"Event": "Hangup"})
    await wait_for(lambda: len(seen) == 1)
    assert manager.up
    await manager.stop()


async def test_stop_ends_the_link_even_when_a_cancellation_is_swallowed(server: FakeAMI) -> None:
    """Python 3.11's ``asyncio.wait_for`` returns the awaited result when a cancellation arrives
    together with it, swallowing the cancellation: ``stop`` must end the link all the same (the
    agency's unit registry awaits it before it reads the admin's next change)."""
    manager, _ = make_manager(server.port)
    waiting, swallowed = asyncio.Event(), asyncio.Event()

    async def swallow_one_cancellation(snapshot: Snapshot) -> None:
        waiting.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.set()
        await asyncio.sleep(3600)

    manager.on_resync(swallow_one_cancellation)
    manager.start()
    await asyncio.wait_for(waiting.wait(), 5)
    stopping = asyncio.create_task(manager.stop())
    done, _ = await asyncio.wait({stopping}, timeout=30)  # a guard against hanging, no timing
    if not done:
        manager._task.cancel()  # type: ignore[union-attr]  # leave no task behind the failure
    assert done, "stop() did not end the link"
    assert swallowed.is_set()
    assert manager.state is LinkState.STOPPED


def test_the_first_reconnects_come_quickly_then_the_wait_doubles_up_to_its_limit() -> None:
    """A restarting unit is back within seconds: the first retries wait ``reconnect_min``
    (not 1, 2, 4 s...), then the wait doubles up to ``reconnect_max``; each with jitter."""
    from appliance.ami.manager import QUICK_RETRIES

    settings = Timings(5, 20, 10, 10, reconnect_min=0.5, reconnect_max=30)
    manager = AMIManager(UnitAccess("pbx1", "127.0.0.1", 1, "agency", "x"), settings, Dispatcher())
    for failures in range(QUICK_RETRIES + 1):
        assert 0.4 <= manager._backoff(failures) <= 0.6, failures
    assert 0.8 <= manager._backoff(QUICK_RETRIES + 1) <= 1.2
    assert 1.6 <= manager._backoff(QUICK_RETRIES + 2) <= 2.4
    assert 24 <= manager._backoff(QUICK_RETRIES + 40) <= 36
