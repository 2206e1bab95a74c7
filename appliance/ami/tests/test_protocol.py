import asyncio

import pytest

from appliance.ami.codec import Message
from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import (
    ActionFailedError,
    ActionTimeoutError,
    ConnectionLostError,
    LoginFailedError,
    NotConnectedError,
)
from appliance.ami.protocol import AMIProtocol
from appliance.ami.tests.fake_ami import FakeAMI


async def connect(server: FakeAMI, events: list[Message]) -> AMIProtocol:
    loop = asyncio.get_running_loop()
    dispatcher = Dispatcher()
    dispatcher.subscribe(None, lambda e: None if e["Event"] == "FullyBooted" else events.append(e))
    _, protocol = await loop.create_connection(
        lambda: AMIProtocol(dispatcher), "127.0.0.1", server.port
    )
    return protocol


@pytest.fixture
async def server():
    fake = FakeAMI()
    await fake.start()
    yield fake
    await fake.stop()


async def test_it_logs_in_and_reads_the_banner(server: FakeAMI) -> None:
    protocol = await connect(server, [])
    await protocol.login("agency", "s3cret")
    assert protocol.banner == "Asterisk Call Manager/9.0.0"
    assert server.actions[0]["Events"] == "on"
    protocol.close()


async def test_it_raises_login_failed_on_bad_secret(server: FakeAMI) -> None:
    protocol = await connect(server, [])
    with pytest.raises(LoginFailedError, match="Authentication failed"):
        await protocol.login("agency", "wrong")
    protocol.close()


async def test_it_collects_an_event_list_until_complete(server: FakeAMI) -> None:
    events: list[Message] = []
    protocol = await connect(server, events)
    await protocol.login("agency", "s3cret")
    got = await protocol.send("QueueStatus")
    assert [m.get("Event", m.get("Response")) for m in got] == [
        "Success",
        "QueueParams",
        "QueueMember",
        "QueueStatusComplete",
    ]
    assert events == []
    protocol.close()


async def test_it_dispatches_events_without_pending_action_id(server: FakeAMI) -> None:
    events: list[Message] = []
    protocol = await connect(server, events)
    await protocol.login("agency", "s3cret")
    server.emit({"Event": "QueueMemberPause", "Paused": "1", "ActionID": "someone-else"})
    server.emit({"Event": "Reload"})
    await protocol.action("Ping")
    assert [e["Event"] for e in events] == ["QueueMemberPause", "Reload"]
    assert protocol.events_received == 3  # with the FullyBooted after login
    protocol.close()


async def test_it_forces_async_on_originate(server: FakeAMI) -> None:
    protocol = await connect(server, [])
    await protocol.login("agency", "s3cret")
    await protocol.action("Originate", {"Channel": "PJSIP/101", "Async": "false"})
    assert server.actions[-1]["Async"] == "true"
    protocol.close()


async def test_it_raises_action_failed_on_error(server: FakeAMI) -> None:
    server.reply = lambda a: [{"Response": "Error", "ActionID": a["ActionID"], "Message": "No"}]
    protocol = await connect(server, [])
    with pytest.raises(ActionFailedError, match="QueueAdd: No"):
        await protocol.action("QueueAdd")
    protocol.close()


async def test_it_times_out_without_response(server: FakeAMI) -> None:
    protocol = await connect(server, [])
    with pytest.raises(ActionTimeoutError):
        await protocol.action("Silent", timeout=0.05)
    protocol.close()


async def test_a_pending_action_fails_when_the_link_drops_and_is_not_resent(
    server: FakeAMI,
) -> None:
    protocol = await connect(server, [])
    await protocol.login("agency", "s3cret")
    pending = asyncio.create_task(protocol.action("Silent", timeout=5))
    await asyncio.sleep(0.05)
    server.drop_all()
    with pytest.raises(ConnectionLostError):
        await pending
    with pytest.raises(NotConnectedError):
        await protocol.action("Ping")
    assert server.names().count("Silent") == 1
