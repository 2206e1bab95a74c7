"""The queue behaviour the admin promises, on real calls through the configuration Apply
Dialplan put on a unit: the group's answer timeout gives an unanswered call back to the queue,
which rings the next operator; the ring strategy and the membership priority (the queue
penalty, read and sent by the agency as at a login) decide who rings.

The operators' phones are Local channels into a test context: ``70N`` rings and never
answers, ``80N`` answers."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from testkit.dialplan import exec_line, make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import Membership, Operator
from appliance.agency.database import Database
from appliance.agency.operators.asterisk import join
from testkit.agency import agency_database

pytestmark = [
    pytest.mark.integration,
    # the agency's Store pings with reconnect=True, which PyMySQL now deprecates
    pytest.mark.filterwarnings("ignore:The 'reconnect' argument is deprecated:DeprecationWarning"),
]

DID = "74951234567"
PHONES = """
[uzor-test-phones]
exten => _70X,1,Ringing()
 same => n,Wait(120)
exten => _80X,1,Answer()
 same => n,Wait(60)
"""


@pytest.fixture
def queue_unit(tmp_path, asterisk_unit, admin_server, admin_database, carrier):
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock
    Membership.objects.all().delete()  # only the operators each test logs in
    extra = {
        "extensions.conf": exec_line("extensions.conf") + "#include phones.conf\n",
        "phones.conf": PHONES,
    }
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1", extra)
    carrier.point_at(unit.asterisk)
    store = agency_database(admin_database, tmp_path)
    yield model, unit, store
    store.close()


class _AgencyLink:
    """The unit's AMI as the agency's ``join`` uses it."""

    def __init__(self, ami) -> None:
        self.ami = ami

    async def action(self, action: str, headers: dict[str, str] | None = None):
        response = self.ami.action_headers(action, dict(headers or {}))
        assert response.get("Response") == "Success", response
        return response


def configure(model, strategy: str, answer_timeout: int) -> None:
    model.sales.strategy = strategy
    model.sales.answer_timeout = answer_timeout
    model.sales.save()
    results = apply_dialplan()
    assert all(r.ok for r in results), results


def log_in(unit, model, store: Database, operators: list[tuple[str, str, int]]) -> None:
    """Each (agent number, phone, priority in the group) joins the queue as the agency does at
    a login: its groups and penalties read from the admin's tables, then QueueAdd."""
    with unit.asterisk.ami() as ami:
        for agent, phone, priority in operators:
            operator = Operator(agent_number=agent)
            operator.set_password("s3cret-pass")
            operator.save()
            Membership(operator=operator, group=model.sales, priority=priority).save()

            async def login(agent=agent, phone=phone):
                record = await store.operator(agent)
                groups = await store.groups_of(record.id)
                session = SimpleNamespace(
                    groups=groups, agent=agent, interface=f"Local/{phone}@uzor-test-phones"
                )
                await join(_AgencyLink(ami), session, paused=False, reason="")

            asyncio.run(login())


def queue_events(unit, carrier, until, timeout: float = 60):
    """A call from the carrier to the queue; the unit's queue events up to ``until``."""
    wanted = {"AgentCalled", "AgentRingNoAnswer", "AgentConnect"}
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        try:
            ami.wait_event(lambda e: until([*ami.events[mark:], e]), timeout, mark)
        except Exception as exc:
            queue = unit.asterisk.cli("queue show sales")
            phones = unit.asterisk.cli("dialplan show uzor-test-phones")
            raise AssertionError(f"{exc}\n{queue}\n{phones}") from exc
        finally:
            call.hangup()
        return [(e.name, e.get("MemberName")) for e in ami.events[mark:] if e.name in wanted]


def test_an_unanswered_call_goes_back_to_the_queue_and_rings_the_next_operator(queue_unit, carrier):
    model, unit, store = queue_unit
    configure(model, "linear", answer_timeout=2)
    log_in(unit, model, store, [("201", "701", 0), ("202", "802", 0)])

    events = queue_events(unit, carrier, lambda es: any(e.name == "AgentConnect" for e in es))

    assert events[:4] == [
        ("AgentCalled", "201"),
        ("AgentRingNoAnswer", "201"),
        ("AgentCalled", "202"),
        ("AgentConnect", "202"),
    ], events


@pytest.mark.parametrize(
    ("strategy", "called_before_the_first_timeout"),
    [("ringall", {"201", "202"}), ("linear", {"201"})],
)
def test_the_ring_strategy_decides_who_rings(
    queue_unit, carrier, strategy, called_before_the_first_timeout
):
    model, unit, store = queue_unit
    configure(model, strategy, answer_timeout=2)
    log_in(unit, model, store, [("201", "701", 0), ("202", "702", 0)])

    events = queue_events(unit, carrier, lambda es: any(e.name == "AgentRingNoAnswer" for e in es))

    first_timeout = next(i for i, (name, _) in enumerate(events) if name == "AgentRingNoAnswer")
    called = {member for name, member in events[:first_timeout] if name == "AgentCalled"}
    assert called == called_before_the_first_timeout, events


@pytest.mark.parametrize(("priorities", "answering"), [((1, 0), "202"), ((0, 1), "201")])
def test_the_membership_priority_decides_who_gets_the_call(
    queue_unit, carrier, priorities, answering
):
    """Ring all: only the operators with the best (lowest) priority ring while they are free."""
    model, unit, store = queue_unit
    configure(model, "ringall", answer_timeout=5)
    log_in(unit, model, store, [("201", "801", priorities[0]), ("202", "802", priorities[1])])

    events = queue_events(unit, carrier, lambda es: any(e.name == "AgentConnect" for e in es))

    assert [member for name, member in events if name == "AgentCalled"] == [answering], events
    assert ("AgentConnect", answering) in events


def test_a_ringing_leg_hung_up_as_unanswered_rings_the_next_operator(queue_unit, carrier):
    """What the agency does when an operator's own ring time (shorter than the group's answer
    timeout) runs out: it hangs the workplace's ringing leg up with cause 19; the caller stays
    in the queue and the next operator rings, long before the group's timeout."""
    model, unit, store = queue_unit
    configure(model, "linear", answer_timeout=60)
    log_in(unit, model, store, [("201", "701", 0), ("202", "802", 0)])
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        try:
            first = ami.wait_event(
                lambda e: e.name == "AgentCalled" and e.get("MemberName") == "201", 30, mark
            )
            hung = ami.action("Hangup", Channel=first["DestChannel"], Cause=19)
            assert hung["Response"] == "Success", hung
            connected = ami.wait_event(lambda e: e.name == "AgentConnect", 30, first.position)
        finally:
            call.hangup()
    assert connected.get("MemberName") == "202", connected
