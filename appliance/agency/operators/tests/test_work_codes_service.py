"""Pause reasons and dispositions through the operator service: offered at login and when the
admin changes them, enforced on ``set_state`` and ``set_disposition``, dispositions recorded."""

import asyncio

import pytest

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.outgoing import result
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.database import WorkCodeRecord, WorkCodes
from appliance.agency.operators.tests.fakes import (
    FakeNotifier,
    FakeUnit,
    make_client,
    settle,
    shut_down,
    wired_service,
)
from appliance.agency.operators.tests.test_service import logged_in, login

LUNCH = WorkCodeRecord("lunch", "Обед", "Lunch", max_seconds=1800)
SMOKE = WorkCodeRecord("smoke", "Перекур", "Smoke", frozenset({"sales"}), 60)
TRAINING = WorkCodeRecord("training", "Обучение", "Training", frozenset({"other"}))
SALE = WorkCodeRecord("sale", "Продажа", "Sale")
NO_SALE = WorkCodeRecord("no-sale", "Отказ", "No sale", frozenset({"support"}))
CODES = WorkCodes((LUNCH, SMOKE, TRAINING), (SALE, NO_SALE))


def both(record: WorkCodeRecord) -> dict[str, str]:
    return {"ru": record.name_ru, "en": record.name_en}


def pause(reason: str, id: int = 2) -> Action:
    return Action("set_state", {"state": "pause", "reason": reason}, id)


def answered_call(unit, call_id: str = "L1") -> None:
    unit.emit(
        {
            "Event": "AgentCalled",
            "Interface": "PJSIP/201",
            "MemberName": "101",
            "Queue": "support",
            "Channel": "PJSIP/carrier-01",
            "DestChannel": "PJSIP/201-02",
            "CallerIDNum": "79161234567",
            "Exten": "7100",
            "Linkedid": call_id,
        }
    )
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": call_id})
    unit.emit({"Event": "Hangup", "Channel": "PJSIP/201-02", "Linkedid": call_id})


async def with_codes(service, store, codes=CODES):
    store.codes = codes
    await service.refresh_work_codes()


async def test_login_offers_the_codes_of_the_operator_s_groups_in_their_language(world) -> None:
    service, store, *_ = world
    await with_codes(service, store)
    client = make_client()
    client.lang = "ru"
    _, reply = await logged_in(service, client)
    assert reply["pause_reasons"] == [
        {"code": "lunch", "name": "Обед", "names": both(LUNCH), "max_seconds": 1800},
        {"code": "smoke", "name": "Перекур", "names": both(SMOKE), "max_seconds": 60},
    ]
    assert reply["dispositions"] == [
        {"code": "sale", "name": "Продажа", "names": both(SALE)},
        {"code": "no-sale", "name": "Отказ", "names": both(NO_SALE)},
    ]
    assert reply["disposition_required"] is False
    assert_valid(result(login(), reply).encode("ru"))
    _, english = await logged_in(service)
    assert [r["name"] for r in english["pause_reasons"]] == ["Lunch", "Smoke"]


async def test_without_codes_any_reason_pauses_as_before(world) -> None:
    service, *_ = world
    client, reply = await logged_in(service)
    assert reply["pause_reasons"] == [] and reply["dispositions"] == []
    state = await service.handle(client, pause("anything"))
    assert state["reason"] == "anything" and state["limit_seconds"] == 600


async def test_a_reason_not_offered_is_refused_and_an_offered_one_brings_its_limit(world) -> None:
    service, store, *_ = world
    await with_codes(service, store)
    client, _ = await logged_in(service)
    for reason in ("anything", "training", "pause"):
        with pytest.raises(ACPError) as err:
            await service.handle(client, pause(reason))
        assert err.value.code == "not_allowed"
        assert "is not offered to you; choose one of: lunch, smoke" in str(err.value)
        assert err.value.details == {"offered": ["lunch", "smoke"]}
    with pytest.raises(ACPError, match="reserved"):
        await service.handle(client, pause("wrapup"))
    state = await service.handle(client, pause("lunch"))
    assert state["reason"] == "lunch" and state["limit_seconds"] == 1800


async def test_the_pause_timer_is_armed_for_the_reason_s_limit(world) -> None:
    service, store, *_ = world
    await with_codes(service, store)
    client, _ = await logged_in(service)
    state = await service.handle(client, pause("smoke"))
    assert state["limit_seconds"] == 60
    session = service.sessions["101"]
    assert session.operator.deadline() == session.operator.since + 60
    assert session.timer is not None and session.warning is None  # not more than 60 s ahead


async def test_the_admin_s_change_is_sent_to_the_operators_it_concerns(world) -> None:
    service, store, _, notifier = world
    client, _ = await logged_in(service)
    await with_codes(service, store)
    assert notifier.last("work_codes")["pause_reasons"][0] == {
        "code": "lunch",
        "name": "Lunch",
        "names": {"ru": "Обед", "en": "Lunch"},
        "max_seconds": 1800,
    }
    sent = len(notifier.names(client))
    await with_codes(service, store, WorkCodes((LUNCH, SMOKE, TRAINING), (SALE, NO_SALE)))
    store.codes = WorkCodes((LUNCH, SMOKE), (SALE, NO_SALE), frozenset({"other"}))
    await service.refresh_work_codes()  # TRAINING was not offered to them: nothing to tell
    assert len(notifier.names(client)) == sent
    await with_codes(service, store, WorkCodes((), (SALE,), frozenset({"sales"})))
    told = notifier.last("work_codes")
    assert told["pause_reasons"] == [] and told["disposition_required"] is True
    assert service.sessions["101"].operator.disposition_required


async def test_a_disposition_is_recorded_with_the_call_and_its_group(world) -> None:
    service, store, unit, notifier = world
    await with_codes(service, store)
    client, _ = await logged_in(service)
    answered_call(unit)
    await settle()
    assert notifier.last("state_changed")["disposition_call"] == "L1"
    with pytest.raises(ACPError, match="'training' is not offered"):
        await service.handle(client, Action("set_disposition", {"code": "training"}, 3))
    state = await service.handle(client, Action("set_disposition", {"code": "no-sale"}, 4))
    await settle()
    assert state["disposition_call"] is None
    [record] = store.dispositions
    assert (record.agent, record.code, record.call_id) == ("101", "no-sale", "L1")
    assert (record.channel, record.group) == ("PJSIP/201-02", "support")
    with pytest.raises(ACPError, match="no ended call"):
        await service.handle(client, Action("set_disposition", {"code": "sale"}, 5))


async def test_a_required_disposition_refuses_ready_until_given(world) -> None:
    service, store, unit, notifier = world
    await with_codes(service, store, WorkCodes((LUNCH,), (SALE,), frozenset({"support"})))
    client, reply = await logged_in(service)
    assert reply["disposition_required"] is True
    answered_call(unit)
    await settle()
    assert notifier.last("state_changed")["disposition_needed"] is True
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    assert err.value.code == "not_allowed"
    assert "choose a disposition for the call first" in str(err.value)
    client.lang = "ru"
    with pytest.raises(ACPError) as err:
        await service.handle(client, pause("lunch"))
    assert "сначала выберите код завершения" in err.value.message.render("ru")
    state = await service.handle(client, Action("set_disposition", {"code": "sale"}, 5))
    assert state["state"] == "ready"  # the wrap-up time (0 s) was over
    assert unit.actions[-1] == ("QueuePause", {"Interface": "PJSIP/201", "Paused": "false"})


async def test_a_terminal_gone_in_a_held_wrapup_is_left_there(world) -> None:
    service, store, unit, _ = world
    await with_codes(service, store, WorkCodes((), (SALE,), frozenset({"support"})))
    client, _ = await logged_in(service)
    answered_call(unit)
    await settle()
    service.settings = service.settings.model_copy(update={"reconnect_grace": 0.01})
    await service.disconnected(client)
    await asyncio.sleep(0.05)
    assert service.sessions["101"].operator.state.value == "wrapup"


async def test_a_restarted_agency_resumes_the_call_awaiting_its_disposition(world) -> None:
    service, store, unit, _ = world
    await with_codes(service, store, WorkCodes((), (SALE,), frozenset({"support"})))
    await logged_in(service)
    answered_call(unit)
    await settle()
    saved = dict(store.saved["101"])
    restarted = wired_service(store, FakeUnit(), FakeNotifier(), restored={"101": saved})
    try:
        await restarted.refresh_work_codes()
        client, reply = await logged_in(restarted)
        assert reply["resumed"] and reply["session"]["disposition_needed"] is True
        await restarted.handle(client, Action("set_disposition", {"code": "sale"}, 2))
        await settle()
        assert store.dispositions[-1].call_id == "L1"
        assert store.dispositions[-1].group == "support"
    finally:
        await shut_down(restarted)


class CallLogSpy:
    """What the service tells the call log about an operator's part of a call."""

    def __init__(self) -> None:
        self.told: list[tuple[str, ...]] = []

    def wrapup_started(self, agent: str, call_id: str | None, now: float) -> None:
        self.told.append(("wrapup_started", agent, str(call_id)))

    def wrapup_ended(self, agent: str, now: float) -> None:
        self.told.append(("wrapup_ended", agent))

    def disposition(self, agent: str, call_id: str | None, code: str) -> None:
        self.told.append(("disposition", agent, str(call_id), code))


async def test_the_call_record_learns_the_wrapup_and_the_disposition(world) -> None:
    service, store, unit, _ = world
    spy = service.call_log = CallLogSpy()
    await with_codes(service, store, WorkCodes((LUNCH,), (SALE,), frozenset({"support"})))
    client, _ = await logged_in(service)
    answered_call(unit)
    await settle()
    assert spy.told == [("wrapup_started", "101", "L1")]
    await service.handle(client, Action("set_disposition", {"code": "sale"}, 5))
    assert spy.told[1:] == [("wrapup_ended", "101"), ("disposition", "101", "L1", "sale")]
