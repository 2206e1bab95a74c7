import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.agency.wallboard.spy import Spy, SpyRefused
from appliance.agency.wallboard.tests.conftest import CALLED, KEY, spy_ticket


def talking(unit) -> None:
    unit.emit(CALLED)
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})


@pytest.mark.parametrize(
    ("mode", "options"), [("listen", "qE"), ("whisper", "qEw"), ("barge", "qEB")]
)
async def test_spy_originates_chanspy_on_the_operators_channel_to_the_supervisors_phone(
    floor, mode, options
) -> None:
    service, store, unit, *_ = floor
    talking(unit)
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    done = await spy.run(spy_ticket(mode=mode))
    assert done == {"agent": "101", "mode": mode, "workplace": "209"}
    action, headers = unit.actions[-1]
    assert action == "Originate"
    assert headers["Channel"] == "PJSIP/209"
    assert (headers["Application"], headers["Data"]) == ("ChanSpy", f"PJSIP/201-0000002a,{options}")
    assert headers["ChannelId"].startswith("uzor-spy-")


async def test_a_ticket_is_good_once_and_only_with_the_admins_key(floor) -> None:
    service, store, unit, *_ = floor
    talking(unit)
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    ticket = spy_ticket()
    await spy.run(ticket)
    with pytest.raises(SpyRefused, match="used already"):
        await spy.run(ticket)
    with pytest.raises(SpyRefused) as refused:
        await spy.run(spy_ticket(key=Ed25519PrivateKey.generate()))
    assert refused.value.error_id == "forbidden"
    with pytest.raises(SpyRefused) as refused:
        await Spy(service, store, None).run(spy_ticket())  # type: ignore[arg-type]
    assert refused.value.error_id == "not_configured"
    assert [a for a, _ in unit.actions].count("Originate") == 1


async def test_nothing_is_originated_without_a_live_call_or_a_known_other_workplace(floor) -> None:
    service, store, unit, *_ = floor
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    cases = [({}, "no_call"), ({"agent": "102"}, "no_call")]
    for changes, error in cases:
        with pytest.raises(SpyRefused) as refused:
            await spy.run(spy_ticket(**changes))
        assert refused.value.error_id == error
    unit.emit(CALLED)  # ringing is not a call to listen to yet
    with pytest.raises(SpyRefused):
        await spy.run(spy_ticket())
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    for changes in ({"workplace": "201"}, {"workplace": "299"}):
        with pytest.raises(SpyRefused) as refused:
            await spy.run(spy_ticket(**changes))
        assert refused.value.error_id == "bad_workplace"
    assert "Originate" not in [a for a, _ in unit.actions]


async def test_a_channel_name_the_agency_would_not_trust_is_never_spied(floor) -> None:
    service, store, unit, *_ = floor
    talking(unit)
    service.sessions["101"].legs["L1"].channel = "PJSIP/201-0000002a,qB"
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    with pytest.raises(SpyRefused):
        await spy.run(spy_ticket())
    assert "Originate" not in [a for a, _ in unit.actions]


async def test_the_pbx_refusing_is_reported(floor) -> None:
    service, store, unit, *_ = floor
    talking(unit)
    unit.refused.add("Originate")
    spy = Spy(service, store, KEY.public_key())  # type: ignore[arg-type]
    with pytest.raises(SpyRefused) as refused:
        await spy.run(spy_ticket())
    assert refused.value.error_id == "pbx_refused"
    assert "Permission denied" in str(refused.value)
