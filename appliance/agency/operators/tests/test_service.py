import asyncio
from dataclasses import replace

import pytest

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.config import OperatorsConfig
from appliance.agency.operators.machine import Mode
from appliance.agency.operators.tests.fakes import (
    MAC,
    PASSWORD,
    make_client,
    settle,
)
from appliance.agency.operators.texts import logged_out


def login(agent: str = "101", password: str = PASSWORD, mac: str = "E8:03:9A:B5:E0:C9") -> Action:
    return Action("login", {"agent": agent, "password": password, "workplace": mac}, 1)


async def logged_in(service, client=None):
    client = client or make_client()
    reply = await service.login(client, login())
    return client, reply


async def test_login_joins_every_group_queue_with_penalty_and_returns_sip_access(world) -> None:
    service, _, unit, _ = world
    client, reply = await logged_in(service)
    assert client.agent == "101"
    assert reply["sip"] == {
        "username": "201",
        "password": "sipsecret",
        "domain": "10.0.0.5",
        "ws_url": "wss://pbx/ws",
        "display_name": "Ivan",
    }
    assert reply["resumed"] is False and reply["session"]["state"] == "ready"
    adds = [h for a, h in unit.actions if a == "QueueAdd"]
    assert [
        (h["Queue"], h["Interface"], h["MemberName"], h["Penalty"], h["Paused"]) for h in adds
    ] == [
        ("support", "PJSIP/201", "101", "1", "false"),
        ("sales", "PJSIP/201", "101", "3", "false"),
    ]


async def test_wrong_password_or_workplace_is_login_failed(world) -> None:
    service, *_ = world
    cases = (
        (login(password="nope"), "credentials"),
        (login(agent="999"), "credentials"),
        (login(agent="999", mac="00:00:00:00:00:01"), "credentials"),
        (login(mac="00:00:00:00:00:01"), "unknown_workplace"),
    )
    for action, reason in cases:
        with pytest.raises(ACPError) as err:
            await service.login(make_client(), action)
        assert err.value.code == "login_failed"
        assert err.value.details == {"reason": reason}


async def test_the_license_limits_concurrent_operators(world) -> None:
    service, *_ = world
    await logged_in(service)
    service.logins.max_operators = 1
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert err.value.code == "license_limit"


async def test_a_second_terminal_resumes_the_session_and_the_first_is_told(world) -> None:
    service, _, unit, notifier = world
    first, _ = await logged_in(service)
    await service.handle(first, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    _, reply = await logged_in(service)
    assert reply["resumed"] is True and reply["session"]["reason"] == "lunch"
    assert notifier.last("logged_out") == logged_out("replaced").data
    told = str(logged_out("replaced").data["message"])
    assert told.startswith("you logged in on another terminal")
    assert first.agent is None
    assert unit.names().count("QueueAdd") == 2  # not re-added
    with pytest.raises(ACPError, match="session has ended"):
        await service.handle(first, Action("ping", {}, 3))


async def test_pause_is_sent_with_its_reason_and_a_dead_unit_changes_nothing(world) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    assert unit.actions[-1] == (
        "QueuePause",
        {"Interface": "PJSIP/201", "Paused": "true", "Reason": "lunch"},
    )
    unit.up = False
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("set_mode", {"mode": "offline"}, 3))
    assert err.value.code == "pbx_unavailable"
    assert service.sessions["101"].operator.reason == "lunch"


# Ready / Pause pressed while the unit is away (an Asterisk restart) ---------------------------


def resync_members(paused: bool, reason: str = "") -> list[dict[str, str]]:
    """QueueStatus members of the restarted unit: 101 back in both queues (re-added)."""
    return [
        {
            "Event": "QueueMember",
            "Queue": queue,
            "Location": "PJSIP/201",
            "Paused": "1" if paused else "0",
            "PausedReason": reason,
        }
        for queue in ("support", "sales")
    ]


async def test_ready_pressed_while_the_unit_is_down_is_kept_and_done_after_the_resync(
    world,
) -> None:
    service, _, unit, notifier = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    unit.up = False
    reply = await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    assert reply["pending"] == {"state": "ready", "reason": None}
    assert (reply["state"], reply["reason"]) == ("pause", "lunch")  # not yet
    assert notifier.last("state_changed")["pending"] == {"state": "ready", "reason": None}
    session = service.sessions["101"]
    assert session.operator.reason == "lunch"
    unit.up = True
    before = len(unit.actions)
    await unit.snapshot(resync_members(paused=True, reason="lunch"), [])
    unpauses = [h for a, h in unit.actions[before:] if a == "QueuePause"]
    assert unpauses == [{"Interface": "PJSIP/201", "Paused": "false"}]
    assert session.operator.state.value == "ready" and session.pending is None
    shown = notifier.last("state_changed")
    assert (shown["state"], shown["pending"]) == ("ready", None)


async def test_the_latest_press_while_the_unit_is_down_wins(world) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    unit.up = False
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    reply = await service.handle(client, Action("set_state", {"state": "pause"}, 4))
    assert reply["pending"] == {"state": "pause", "reason": "pause"}
    unit.up = True
    await unit.snapshot(resync_members(paused=False), [])
    session = service.sessions["101"]
    assert (session.operator.state.value, session.operator.reason) == ("pause", "pause")
    assert session.pending is None


async def test_a_press_refused_by_the_rules_is_refused_at_once_even_while_the_unit_is_down(
    world,
) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    session = service.sessions["101"]
    session.operator = replace(session.operator, mode=Mode.OUTBOUND)
    unit.up = False
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("set_state", {"state": "ready"}, 2))
    assert err.value.code == "not_allowed"  # Ready is inbound only: nothing is kept
    assert service.sessions["101"].pending is None


async def test_a_kept_press_no_longer_allowed_after_the_resync_is_dropped_and_told(world) -> None:
    service, _, unit, notifier = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    unit.up = False
    await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    session = service.sessions["101"]
    session.operator = replace(session.operator, mode=Mode.OUTBOUND)  # Ready is inbound only
    unit.up = True
    await unit.snapshot(resync_members(paused=True, reason="lunch"), [])
    assert session.pending is None and session.operator.reason == "lunch"
    assert notifier.last("state_changed")["pending"] is None


async def test_a_kept_press_still_waits_when_the_link_drops_again(world) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    unit.up = False
    await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    session = service.sessions["101"]
    await service.apply_pending(session)  # the link is still down
    assert session.pending == {"state": "ready", "reason": None}
    assert session.operator.reason == "lunch"


async def test_the_pause_limit_does_not_log_out_an_operator_whose_ready_waits(world) -> None:
    service, _, unit, notifier = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    unit.up = False
    await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    session = service.sessions["101"]
    real_clock = service.clock
    service.clock = lambda: real_clock() + 3600  # long past the pause limit (600 s)
    service._on_timer(session)
    assert service.sessions.get("101") is session and "logged_out" not in notifier.names()
    unit.up = True
    await unit.snapshot(resync_members(paused=True, reason="lunch"), [])
    assert session.operator.state.value == "ready" and session.pending is None


async def test_a_press_carried_out_normally_clears_what_was_kept(world) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    unit.up = False
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    unit.up = True  # up again before the resync ran: the next press goes through
    reply = await service.handle(client, Action("set_state", {"state": "pause"}, 3))
    assert reply["pending"] is None and service.sessions["101"].pending is None


async def test_a_queue_call_is_followed_to_wrapup_and_back_to_ready(world) -> None:
    service, store, unit, notifier = world
    store.operators["101"] = replace(store.operators["101"], wrapup_seconds=0.1)
    await logged_in(service)
    called = {
        "Event": "AgentCalled",
        "Interface": "PJSIP/201",
        "MemberName": "101",
        "Queue": "support",
        "Channel": "PJSIP/carrier-01",
        "DestChannel": "PJSIP/201-02",
        "CallerIDNum": "79161234567",
        "CallerIDName": "Petrov",
        "Exten": "7100",
        "Linkedid": "L1",
    }
    unit.emit(called)
    incoming = notifier.last("call_incoming")
    assert incoming["number"] == "79161234567" and incoming["script_url"] == "https://crm/s"
    assert incoming["topic"]["description"] == "Hotline"
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    assert notifier.last("state_changed")["state"] == "talking"
    unit.emit(
        {"Event": "Hangup", "Channel": "PJSIP/201-02", "Linkedid": "L1", "Cause-txt": "Normal"}
    )
    await settle()
    assert notifier.last("call_ended") == {"call_id": "L1", "cause": "Normal"}
    assert notifier.last("state_changed")["state"] == "wrapup"
    assert unit.actions[-1][1] == {"Interface": "PJSIP/201", "Paused": "true", "Reason": "wrapup"}
    await asyncio.sleep(0.2)
    await settle()
    assert notifier.last("state_changed")["state"] == "ready"
    assert unit.actions[-1] == ("QueuePause", {"Interface": "PJSIP/201", "Paused": "false"})
    states = [i.state for i in store.intervals]
    assert states[-3:] == ["ringing", "talking", "wrapup"]


async def test_a_hiding_topic_sends_hidden(world) -> None:
    service, _, unit, notifier = world
    await logged_in(service)
    unit.emit(
        {
            "Event": "AgentCalled",
            "Interface": "PJSIP/201",
            "Exten": "7200",
            "CallerIDNum": "79161234567",
            "CallerIDName": "Petrov",
            "Linkedid": "L2",
        }
    )
    assert notifier.last("call_incoming")["number"] == "hidden"
    assert notifier.last("call_incoming")["caller_name"] == ""


async def test_a_pause_past_its_limit_logs_out(world) -> None:
    service, _, unit, notifier = world
    service.settings = OperatorsConfig(pause_limit=0.1, reconnect_grace=60)
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "smoke"}, 2))
    await asyncio.sleep(0.25)
    await settle()
    assert notifier.last("logged_out") == logged_out("pause_timeout").data
    assert "101" not in service.sessions and client.agent is None
    assert unit.names()[-2:] == ["QueueRemove", "QueueRemove"]


async def test_click_to_dial_originates_async_to_the_workplace(world) -> None:
    service, _, unit, notifier = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_mode", {"mode": "outbound", "topic": "111"}, 2))
    reply = await service.handle(client, Action("dial", {"number": "89001234567"}, 3))
    action, headers = unit.actions[-1]
    assert action == "Originate" and headers["Channel"] == "PJSIP/201"
    assert headers["Exten"] == "11189001234567" and headers["ChannelId"] == reply["call_id"]
    assert notifier.last("state_changed")["state"] == "dialing"
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("dial", {"number": "1"}, 4))
    assert err.value.code == "not_allowed"


async def test_resync_readds_a_lost_membership_and_ends_vanished_calls(world) -> None:
    service, _, unit, notifier = world
    await logged_in(service)
    unit.emit(
        {
            "Event": "AgentCalled",
            "Interface": "PJSIP/201",
            "Exten": "7100",
            "DestChannel": "PJSIP/201-09",
            "Linkedid": "L3",
            "CallerIDNum": "1",
        }
    )
    unit.actions.clear()
    members = [{"Event": "QueueMember", "Queue": "support", "Location": "PJSIP/201", "Paused": "0"}]
    await unit.snapshot(members, channels=[])
    await settle()
    assert [(a, h["Queue"]) for a, h in unit.actions if a.startswith("Queue")] == [
        ("QueueAdd", "sales")
    ]
    assert ("DialplanExtensionAdd", "uzor-agency-conference") in [
        (a, h.get("Context")) for a, h in unit.actions
    ]
    assert notifier.last("call_ended")["cause"] == "gone after reconnect"


async def test_intervals_and_sessions_are_recorded(world) -> None:
    service, store, _, _ = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_mode", {"mode": "offline"}, 2))
    await service.handle(client, Action("task_start", {"project": "P", "activity": "a"}, 3))
    await settle()
    assert [(i.mode, i.state) for i in store.intervals] == [
        ("inbound", "ready"),
        ("offline", "task_waiting"),
    ]
    assert store.saved["101"]["base"] == "task" and store.saved["101"]["workplace"] == MAC
    await service.handle(client, Action("logout", {}, 4))
    await settle()
    assert "101" not in store.saved


async def test_a_workplace_in_use_by_another_operator_is_refused(world) -> None:
    service, *_ = world
    await logged_in(service)
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("102"))
    assert err.value.code == "not_allowed" and "in use by agent 101" in str(err.value.message)


async def test_the_terminal_is_warned_before_the_pause_runs_out(world, monkeypatch) -> None:
    service, _, _, notifier = world
    monkeypatch.setattr("appliance.agency.operators.service.PAUSE_WARNING", 59.9)
    service.settings = OperatorsConfig(pause_limit=60, reconnect_grace=60)
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "smoke"}, 2))
    for _ in range(100):
        if "pause_expiring" in notifier.names(client):
            break
        await asyncio.sleep(0.05)
    assert 0 < notifier.last("pause_expiring")["seconds_left"] <= 59.9
    assert "logged_out" not in notifier.names(client)


async def test_a_terminal_away_past_the_grace_time_is_paused(world) -> None:
    service, _, unit, _ = world
    service.settings = OperatorsConfig(pause_limit=600, reconnect_grace=0.05)
    client, _ = await logged_in(service)
    await service.disconnected(client)
    for _ in range(500):  # up to 10 s on a busy machine
        if service.sessions["101"].operator.reason == "disconnected":
            break
        await asyncio.sleep(0.02)
    assert service.sessions["101"].operator.reason == "disconnected"
    assert unit.actions[-1] == (
        "QueuePause",
        {"Interface": "PJSIP/201", "Paused": "true", "Reason": "disconnected"},
    )


async def test_a_terminal_back_within_the_grace_time_stays_ready(world) -> None:
    service, *_ = world
    service.settings = OperatorsConfig(pause_limit=600, reconnect_grace=0.05)
    client, _ = await logged_in(service)
    await service.disconnected(client)
    await logged_in(service)
    await asyncio.sleep(0.15)
    await settle()
    assert service.sessions["101"].operator.state.value == "ready"


async def test_hold_uses_the_groups_hold_sound_and_unhold_bridges_back(world) -> None:
    service, _, unit, notifier = world
    client, _ = await logged_in(service)
    unit.emit(
        {
            "Event": "AgentCalled",
            "Interface": "PJSIP/201",
            "Queue": "support",
            "Channel": "PJSIP/trunk-1",
            "DestChannel": "PJSIP/201-7",
            "Linkedid": "L9",
            "CallerIDNum": "1",
            "Exten": "7100",
        }
    )
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L9"})
    await service.handle(client, Action("hold", {}, 2))
    assert unit.actions[-2] == (
        "Setvar",
        {"Channel": "PJSIP/trunk-1", "Variable": "UZOR_MOH", "Value": "uzor-jazz"},
    )
    assert unit.actions[-3] == (
        "Setvar",
        {"Channel": "PJSIP/trunk-1", "Variable": "UZOR_UNHELD", "Value": ""},
    )
    assert unit.actions[-1][0] == "Redirect"
    assert unit.actions[-1][1]["Channel"] == "PJSIP/trunk-1"
    assert unit.actions[-1][1]["ExtraChannel"] == "PJSIP/201-7"
    assert notifier.last("state_changed")["state"] == "hold"
    await service.handle(client, Action("unhold", {}, 3))
    # once that bridge ends, the caller's dialplan hangs up instead of waiting (the ghost call)
    assert unit.actions[-2] == (
        "Setvar",
        {"Channel": "PJSIP/trunk-1", "Variable": "UZOR_UNHELD", "Value": "1"},
    )
    assert unit.actions[-1] == (
        "Bridge",
        {"Channel1": "PJSIP/201-7", "Channel2": "PJSIP/trunk-1", "Tone": "no"},
    )
    assert notifier.last("state_changed")["state"] == "talking"


async def test_an_event_during_an_action_is_not_overwritten(world) -> None:
    service, _, unit, _ = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_state", {"state": "pause", "reason": "lunch"}, 2))
    plain = unit.action

    async def ring_while_unpausing(action: str, headers=None):
        reply = await plain(action, headers)
        if action == "QueuePause" and headers["Paused"] == "false":
            unit.emit(
                {
                    "Event": "AgentCalled",
                    "Interface": "PJSIP/201",
                    "Exten": "7100",
                    "DestChannel": "PJSIP/201-5",
                    "Linkedid": "L5",
                    "CallerIDNum": "1",
                }
            )
            await asyncio.sleep(0)
        return reply

    unit.action = ring_while_unpausing
    await service.handle(client, Action("set_state", {"state": "ready"}, 3))
    operator = service.sessions["101"].operator
    assert operator.state.value == "ringing" and operator.base.value == "ready"
    assert [c.call_id for c in operator.calls] == ["L5"]


async def test_the_agent_at_a_workplace_follows_logins_and_logouts(world) -> None:
    service, *_ = world
    assert service.agent_at("201") is None
    client, _ = await logged_in(service)
    assert service.agent_at("201") == "101" and service.agent_at("202") is None
    await service.handle(client, Action("logout", {}, 4))
    await settle()
    assert service.agent_at("201") is None
    other = make_client()
    await service.login(other, login(agent="102"))
    assert service.agent_at("201") == "102"
    await service.handle(other, Action("logout", {}, 5))
    await settle()
    await service.login(make_client(), login(agent="102", mac="a0b1c2d3e4f5"))
    assert service.agent_at("201") is None and service.agent_at("202") == "102"
