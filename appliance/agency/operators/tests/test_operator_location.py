"""The operator's workplace published on the unit (the global ``UZOR_OPERATOR_<agent>``) for a
call flow's transfer to an operator: set on login, resume, resync and after a dialplan reload,
emptied on logout."""

from appliance.agency.acp.messages import Action
from appliance.agency.operators.tests.fakes import (
    MAC,
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    settle,
    shut_down,
    wired_service,
)
from appliance.ami.codec import Message
from appliance.ami.errors import ActionFailedError
from appliance.contracts.agency_dialplan import OPERATOR_LOCATION_PREFIX, operator_location

PUT = ("Setvar", {"Variable": "UZOR_OPERATOR_101", "Value": "201"})
DELETE = ("Setvar", {"Variable": "UZOR_OPERATOR_101", "Value": ""})


def login() -> Action:
    return Action("login", {"agent": "101", "password": PASSWORD, "workplace": "E8039AB5E0C9"}, 1)


def test_the_key_is_the_one_the_dialplan_reads() -> None:
    assert OPERATOR_LOCATION_PREFIX == "UZOR_OPERATOR_"
    assert operator_location("101") == "UZOR_OPERATOR_101"


async def test_login_publishes_the_workplace_after_joining_and_logout_withdraws_it(world) -> None:
    service, _, unit, _ = world
    client = make_client()
    await service.login(client, login())
    names = unit.names()
    assert PUT in unit.actions and names.index("Setvar") > names.index("QueueAdd")
    unit.actions.clear()
    await service.handle(client, Action("logout", {}, 2))
    assert unit.actions[0] == DELETE
    assert unit.names()[1:] == ["QueueRemove", "QueueRemove"]


async def test_resync_publishes_the_workplace_again(world) -> None:
    service, _, unit, _ = world
    await service.login(make_client(), login())
    unit.actions.clear()
    await unit.snapshot(queues=[], channels=[])
    await settle()
    assert PUT in unit.actions


async def test_a_resumed_session_after_a_restart_publishes_its_workplace() -> None:
    store, unit = FakeStore(), FakeUnit()
    saved = {"workplace": MAC, "unit": "unit1", "mode": "inbound", "base": "ready", "since": 0}
    service = wired_service(store, unit, FakeNotifier(), restored={"101": saved})
    try:
        reply = await service.login(make_client(), login())
        assert reply["resumed"] is True
        assert unit.actions == [PUT]  # no QueueAdd: the memberships survived on the unit
    finally:
        await shut_down(service)


class RefusingUnit(FakeUnit):
    """A unit that refuses to set global variables."""

    async def action(self, action: str, headers: dict[str, str] | None = None) -> Message:
        if action == "Setvar" and "Channel" not in (headers or {}):
            self.actions.append((action, dict(headers or {})))
            raise ActionFailedError(action, {"Response": "Error", "Message": "Permission denied"})
        return await super().action(action, headers)


async def test_a_refused_setvar_does_not_stop_login_or_logout() -> None:
    store, unit = FakeStore(), RefusingUnit()
    service = wired_service(store, unit, FakeNotifier())
    try:
        client = make_client()
        reply = await service.login(client, login())
        assert reply["session"]["state"] == "ready" and PUT in unit.actions
        await service.handle(client, Action("logout", {}, 2))
        assert "101" not in service.sessions and DELETE in unit.actions
    finally:
        await shut_down(service)


async def test_a_dialplan_reload_publishes_the_workplace_again(world) -> None:
    """A reload clears the unit's globals (clearglobalvars): the agency sets them again."""
    service, _, unit, _ = world
    await service.login(make_client(), login())
    unit.actions.clear()
    unit.emit({"Event": "Reload", "Module": "pbx_config.so", "Status": "0"})
    await settle()
    assert PUT in unit.actions


async def test_a_call_open_at_an_agency_restart_is_written_as_the_call_not_as_ready() -> None:
    """Killed while the operator talked: the session comes back Ready (calls are not
    restored), and the open interval is written as talking up to the resume, then Ready."""
    store, unit = FakeStore(), FakeUnit()
    saved = {
        "workplace": MAC,
        "unit": "unit1",
        "mode": "inbound",
        "base": "ready",
        "since": 0,
        "interval_start": 100.0,
        "interval": ["inbound", "talking", None, None, None],
    }
    service = wired_service(store, unit, FakeNotifier(), restored={"101": saved})
    try:
        reply = await service.login(make_client(), login())
        assert reply["resumed"] is True
        await service.drain()
        assert [(i.state, i.started_at) for i in store.intervals] == [("talking", 100.0)]
        assert service.sessions["101"].interval_start == store.intervals[0].ended_at
    finally:
        await shut_down(service)
