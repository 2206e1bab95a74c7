"""The operator service on fakes with one operator (101 at workplace 201) on a queue call."""

import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.agency.acp.messages import Action
from appliance.agency.operators.observers import SessionObservers
from appliance.agency.operators.tests.fakes import (
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    shut_down,
    wired_service,
)
from appliance.agency.operators.topics import TopicCache
from appliance.contracts import supervisor_token as tokens

KEY = Ed25519PrivateKey.generate()
CALLED = {
    "Event": "AgentCalled",
    "Interface": "PJSIP/201",
    "MemberName": "101",
    "Queue": "support",
    "Channel": "PJSIP/carrier-00000001",
    "DestChannel": "PJSIP/201-0000002a",
    "CallerIDNum": "79161234567",
    "Exten": "7100",
    "Linkedid": "L1",
}


def spy_ticket(key=KEY, **changes) -> str:
    payload = {
        "aud": "spy",
        "sub": "boss",
        "agent": "101",
        "mode": "listen",
        "workplace": "209",
        "exp": time.time() + 30,
        "nonce": uuid.uuid4().hex,
    }
    payload.update(changes)
    return tokens.sign(key, payload)


def view_token(perms=("view_wallboard",), key=KEY, **changes) -> str:
    payload = {"aud": "wallboard", "sub": "boss", "perms": list(perms), "exp": time.time() + 60}
    payload.update(changes)
    return tokens.sign(key, payload)


@pytest.fixture
async def floor():
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    topics = TopicCache(store)  # type: ignore[arg-type]
    await topics.refresh()
    observers = SessionObservers()
    service = wired_service(store, unit, notifier, topics, observers=observers)
    login = {"agent": "101", "password": PASSWORD, "workplace": "E8:03:9A:B5:E0:C9"}
    await service.login(make_client(), Action("login", login, 1))
    yield service, store, unit, topics, observers
    await shut_down(service)
