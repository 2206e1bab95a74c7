"""The operator service wired on fakes, logged-in helpers shared by the service's unit tests."""

import pytest

from appliance.agency.operators.tests.fakes import (
    FakeNotifier,
    FakeStore,
    FakeUnit,
    shut_down,
    wired_service,
)
from appliance.agency.operators.topics import TopicCache


@pytest.fixture
async def world():
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    topics = TopicCache(store)  # type: ignore[arg-type]
    await topics.refresh()
    service = wired_service(store, unit, notifier, topics, max_operators=2)
    yield service, store, unit, notifier
    await shut_down(service)
