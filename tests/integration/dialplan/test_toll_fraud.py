"""Toll fraud through a workplace's own phone: a registered workplace dials dial-string syntax
in the number it sends (``&`` a second channel, ``,`` options, ``/`` and ``@`` another trunk).
The unit configured by Apply Dialplan refuses every such call before any route: the carrier (the
only trunk) sees no call at all. A number outside every route is refused the same way."""

from __future__ import annotations

import time

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from testkit.workplace_sipp import call_as_workplace

pytestmark = pytest.mark.integration

# Percent-encoded in the request URI as a SIP phone sends them; Asterisk decodes the user part.
SMUGGLED = {
    "second channel through the trunk": "11189%26PJSIP%2F00442079460000%40sipnet",
    "the review's exploit": "11189%26PJSIP%2F00442079460000%40sipnet%26PJSIP%2F891234567",
    "dial options": "11189001234567%2CtTL(1)",
    "another technology": "111%2F89001234567",
    "another trunk": "11189001234567%40sipnet",
}


@pytest.fixture
def applied(tmp_path, asterisk_unit, admin_server, carrier):
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    results = apply_dialplan()
    assert all(r.ok for r in results), results
    carrier.set_inbound("answer", playback="beep", hold=2)
    return model, unit.asterisk


def test_a_workplace_cannot_smuggle_a_dial_string_to_any_trunk(applied, carrier):
    model, ast = applied
    before = len(carrier.received_calls())
    with ast.ami() as ami:
        mark = ami.mark()
        for what, number in SMUGGLED.items():
            sipp = call_as_workplace(
                (ast.sip_host, ast.sip_port), "1001", model.workplace.sip_secret, number, final=403
            )
            assert sipp.returncode == 0, f"{what}: {sipp.stdout}{sipp.stderr}"
        time.sleep(1)  # the last refusal's events
        events = list(ami.events[mark:])
    dialled = [e for e in events if e.name == "DialBegin"]
    refused = [e for e in events if e.name == "Newexten" and e.get("Context") == "uzor-refused"]

    time.sleep(2)  # a call leaving through the trunk would have reached the carrier by now
    assert carrier.received_calls()[before:] == []
    assert dialled == []
    assert len({e["Uniqueid"] for e in refused}) == len(SMUGGLED)


def test_a_number_outside_every_route_never_reaches_the_carrier(applied, carrier):
    model, ast = applied
    before = len(carrier.received_calls())
    for number in ("11100442079460000", "1117777"):
        sipp = call_as_workplace(
            (ast.sip_host, ast.sip_port), "1001", model.workplace.sip_secret, number, final=404
        )
        assert sipp.returncode == 0, sipp.stdout + sipp.stderr
    time.sleep(2)
    assert carrier.received_calls()[before:] == []
