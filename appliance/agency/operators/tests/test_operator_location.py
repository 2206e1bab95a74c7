"""The operator's workplace published on the unit (AstDB ``uzor/operator/<agent>``) for a call
flow's transfer to an operator: put on login, resume and resync, deleted on logout."""

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
from appliance.contracts.agency_dialplan import OPERATOR_LOCATION_FAMILY, operator_location

PUT = ("DBPut", {"Family": "uzor/operator", "Key": "101", "Val": "201"})
DELETE = ("DBDel", {"Family": "uzor/operator", "Key": "101"})


def login() -> Action:
    return Action("login", {"agent": "101", "password": PASSWORD, "workplace": "E8039AB5E0C9"}, 1)


def test_the_key_is_the_one_the_dialplan_reads() -> None:
    assert OPERATOR_LOCATION_FAMILY == "uzor/operator"
    assert operator_location("101") == "uzor/operator/101"


async def test_login_publishes_the_workplace_after_joining_and_logout_withdraws_it(world) -> None:
    service, _, unit, _ = world
    client = make_client()
    await service.login(client, login())
    names = unit.names()
    assert PUT in unit.actions and names.index("DBPut") > names.index("QueueAdd")
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
    """A unit whose AMI user may not touch AstDB (no ``system`` write)."""

    async def action(self, action: str, headers: dict[str, str] | None = None) -> Message:
        if action.startswith("DB"):
            self.actions.append((action, dict(headers or {})))
            raise ActionFailedError(action, {"Response": "Error", "Message": "Permission denied"})
        return await super().action(action, headers)


async def test_a_refused_dbput_or_dbdel_does_not_stop_login_or_logout() -> None:
    store, unit = FakeStore(), RefusingUnit()
    service = wired_service(store, unit, FakeNotifier())
    try:
        client = make_client()
        reply = await service.login(client, login())
        assert reply["session"]["state"] == "ready" and "DBPut" in unit.names()
        await service.handle(client, Action("logout", {}, 2))
        assert "101" not in service.sessions and "DBDel" in unit.names()
    finally:
        await shut_down(service)
