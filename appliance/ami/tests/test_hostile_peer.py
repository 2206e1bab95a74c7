"""An AMI peer that breaks the protocol (testkit/hostile_ami.py): every read is bounded, the
link is dropped with a reason in the log and connected again, and another unit's link keeps
working meanwhile. The same peer against the real agency: tests/integration/agency/
test_hostile_ami.py."""

import asyncio
import itertools
import logging

import pytest

from appliance.ami import protocol as protocol_module
from appliance.ami.codec import MAX_BANNER, MAX_MESSAGE, encode_action
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import ProtocolError
from appliance.ami.manager import AMIManager, UnitAccess
from appliance.ami.protocol import AMIProtocol
from appliance.ami.tests.fake_ami import FakeAMI
from appliance.ami.tests.test_manager import Timings, wait_for
from testkit.hostile_ami import FAULTS, HostileAMI


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted

    def write(self, data: bytes | bytearray | memoryview) -> None:
        pass


async def opened() -> tuple[AMIProtocol, _Transport]:
    protocol = AMIProtocol(Dispatcher())
    transport = _Transport()
    protocol.connection_made(transport)
    return protocol, transport


async def test_a_message_past_the_bound_ends_the_connection() -> None:
    """Found by the hostile peer: a line without an end grew the buffer for as long as the
    peer sent bytes (until a keep-alive timed out, seconds and gigabytes later)."""
    protocol, transport = await opened()
    protocol.data_received(b"Asterisk Call Manager/9.0.0\r\nEvent: Junk\r\nValue: ")
    chunk = b"x" * 65536
    for _ in range(MAX_MESSAGE // len(chunk) - 1):
        protocol.data_received(chunk)
    assert not transport.aborted
    protocol.data_received(chunk * 2)
    assert transport.aborted
    assert isinstance(protocol.error, ProtocolError)
    assert protocol._parser.pending <= MAX_MESSAGE + 2 * len(chunk)
    protocol.data_received(chunk)  # what still arrives is not kept
    assert protocol._parser.pending <= MAX_MESSAGE + 2 * len(chunk)


async def test_a_greeting_without_a_line_end_ends_the_connection() -> None:
    protocol, transport = await opened()
    protocol.data_received(b"Asterisk Call Manager/9.0.0 " + b"x" * MAX_BANNER)
    assert transport.aborted
    protocol.connection_lost(None)
    with pytest.raises(ProtocolError, match="no greeting line"):
        await protocol.banner_received


async def test_a_peer_that_is_no_asterisk_manager_is_refused_at_once() -> None:
    protocol, transport = await opened()
    protocol.data_received(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    assert transport.aborted
    protocol.connection_lost(None)
    with pytest.raises(ProtocolError, match="not an Asterisk manager"):
        await protocol.banner_received


async def test_a_message_within_the_bound_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol_module, "MAX_MESSAGE", 1000)
    events = []
    dispatcher = Dispatcher()
    dispatcher.subscribe(None, events.append)
    protocol = AMIProtocol(dispatcher)
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(b"Asterisk Call Manager/9.0.0\r\nEvent: Junk\r\nValue: " + b"y" * 900)
    protocol.data_received(b"\r\n\r\n")
    assert not transport.aborted
    assert events == [{"Event": "Junk", "Value": "y" * 900}]


TIMINGS = Timings(
    connect_timeout=0.5,
    keepalive_interval=0.1,
    keepalive_timeout=0.3,
    action_timeout=0.5,
    reconnect_min=0.02,
    reconnect_max=0.1,
)


async def test_each_fault_is_logged_and_reconnected_while_another_unit_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    hostile = HostileAMI("s3cret")
    healthy = FakeAMI()
    await hostile.start()
    await healthy.start()
    bad = AMIManager(
        UnitAccess("bad", "127.0.0.1", hostile.port, "a", "s3cret"), TIMINGS, Dispatcher()
    )
    good = AMIManager(
        UnitAccess("good", "127.0.0.1", healthy.port, "a", "s3cret"), TIMINGS, Dispatcher()
    )
    bad.start()
    good.start()
    try:
        await wait_for(lambda: good.up)
        answered = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not (hostile.served["healthy"] and bad.up):
            assert loop.time() < deadline, (hostile.served, bad.last_error)
            # the good unit answers all along
            assert (await good.action("Ping"))["Response"] == "Success"
            answered += 1
            await asyncio.sleep(0.01)
        assert answered > len(FAULTS)
        assert all(hostile.served[fault] == 1 for fault in FAULTS), hostile.served
        logged = caplog.text
        assert f"an AMI message longer than {MAX_MESSAGE} bytes" in logged  # endless_line, huge
        assert "not an Asterisk manager: greeting 'HTTP/1.1 400 Bad Request'" in logged
        assert "not an Asterisk manager: no greeting line" in logged
    finally:
        await bad.stop()
        await good.stop()
        await hostile.stop()
        await healthy.stop()


async def test_stopping_the_peer_ends_a_connection_that_is_still_talking() -> None:
    """Found in CI: stop() cancelled a healthy connection's task while the agency's Ping was
    arriving; Python 3.11's wait_for returned the data and dropped the cancellation, so the
    connection served on and the test's event loop never closed."""
    for _ in range(5):
        peer = HostileAMI("s3cret", faults=())
        await peer.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", peer.port)
        await reader.readline()
        writer.write(encode_action({"Action": "Login", "Secret": "s3cret", "ActionID": "1"}))
        await reader.readuntil(b"Fully Booted\r\n\r\n")

        async def ping(writer: asyncio.StreamWriter) -> None:
            for number in itertools.count():
                writer.write(encode_action({"Action": "Ping", "ActionID": str(number)}))
                await asyncio.sleep(0)

        pinger = asyncio.create_task(ping(writer))
        try:
            await asyncio.sleep(0.01)
            async with asyncio.timeout(10):
                await peer.stop()
            assert not peer._connections  # each connection's task ended
        finally:
            pinger.cancel()
            writer.close()
