"""SIP exposure, played by an attacker with SIPp on a real unit configured by Apply Dialplan: an
INVITE from an address that is not the gateway's, naming the trunk (``sipnet``) as its From user,
must not be taken for the trunk: no call enters the trunk's context, the queue or any dialplan."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.test import override_settings

from testkit.dialplan import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from testkit.phone import WorkplacePhone, register_scenario
from testkit.tools import free_port, require_tool

pytestmark = pytest.mark.integration

ATTACKER = "127.0.0.3"  # not the gateway (the carrier is 127.0.0.1) nor a workplace
DID = "74951234567"

SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="spoofed trunk">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{user}@[local_ip]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{user}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="{final}"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:{user}@[local_ip]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
"""


def spoofed_invite(target: tuple[str, int], user: str, number: str, final: int) -> str:
    """One INVITE from ATTACKER without credentials; returns SIPp's output, asserting success."""
    require_tool("sipp", "sip-tester")
    with tempfile.TemporaryDirectory(prefix="uzor-attacker-") as tmp:
        path = Path(tmp) / "spoof.xml"
        path.write_text(SCENARIO.format(user=user, final=final))
        result = subprocess.run(
            [
                "sipp",
                f"{target[0]}:{target[1]}",
                "-sf",
                str(path),
                "-s",
                number,
                "-i",
                ATTACKER,
                "-p",
                str(free_port()),
                "-mp",
                str(free_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                "20s",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                str(Path(tmp) / "errors.log"),
            ],
            capture_output=True,
            text=True,
            timeout=40,
            check=False,
            cwd=tmp,
        )
        errors = Path(tmp) / "errors.log"
        output = result.stdout + (errors.read_text(errors="replace") if errors.exists() else "")
        assert result.returncode == 0, output
        return output


def _spoofed_calls_reach_no_dialplan(ast, final: int) -> None:
    with ast.ami() as ami:
        mark = ami.mark()
        for user in ("sipnet", "anonymous", "1001"):
            spoofed_invite((ast.sip_host, ast.sip_port), user, DID, final=final)
        time.sleep(1)
        channels = [e for e in ami.events[mark:] if e.name == "Newchannel"]
    assert channels == [], [(e.get("Channel"), e.get("Context")) for e in channels]


def _the_trunk_still_gets_in(ast, carrier) -> None:
    """The real trunk, from its own address, still reaches the queue."""
    with ast.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        joined = ami.wait_event("QueueCallerJoin", 20, mark)
        call.hangup()
    assert joined["Queue"] == "sales"


def test_an_invite_naming_the_trunk_from_another_address_reaches_no_dialplan(
    tmp_path, asterisk_unit, admin_server, carrier
):
    """Behind the unit-wide ACL (here it lets in all of loopback, the default app node):
    trunks are known by address only, so the attacker is challenged (401) as an unknown user."""
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock: the queue is reachable
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    assert all(r.ok for r in apply_dialplan())
    _spoofed_calls_reach_no_dialplan(unit.asterisk, final=401)
    _the_trunk_still_gets_in(unit.asterisk, carrier)


@pytest.mark.parametrize("by", ["address", "name"])
def test_the_units_sip_acl_refuses_an_address_that_is_neither_a_gateway_nor_the_app_node(
    tmp_path, asterisk_unit, admin_server, carrier, by
):
    """The unit-wide SIP ACL (issue 13, item 7): with the app node at 127.0.0.2 and the gateway
    at the carrier's 127.0.0.1, an INVITE from 127.0.0.3 is answered 403 before any endpoint is
    looked for: no channel, nothing reaches the carrier; the gateway's call still gets in, also
    when the gateway is known by a name (``localhost``) that uzor-confgen resolves on the unit."""
    host = carrier.unit.sip_host if by == "address" else "localhost"
    assert carrier.unit.sip_host == "127.0.0.1"
    model = build_model(tmp_path, gateway_host=host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    carrier.point_at(unit.asterisk)
    with override_settings(UZOR_WORKPLACE_SIGNALLING_FROM=["127.0.0.2/32"]):
        assert all(r.ok for r in apply_dialplan())
    ast = unit.asterisk
    before = len(carrier.received_calls())
    _spoofed_calls_reach_no_dialplan(ast, final=403)
    with ast.ami() as ami:
        mark = ami.mark()
        for number in ("89161234567", "00442079460000"):  # what the Outbound routes dial
            spoofed_invite((ast.sip_host, ast.sip_port), "1001", number, final=403)
        time.sleep(1)
        channels = [e for e in ami.events[mark:] if e.name == "Newchannel"]
    assert channels == [], [(e.get("Channel"), e.get("Context")) for e in channels]
    assert carrier.received_calls()[before:] == []
    _the_trunk_still_gets_in(ast, carrier)


def _register_from(address: str, target: tuple[str, int], user: str, password: str) -> str:
    """SIPp registering as the workplace from ``address`` with its right password. The unit-wide
    SIP ACL refuses the address: the first REGISTER is answered 403, never challenged. (Behind
    it, the workplace endpoint's own ACL would answer as for an unknown user.)"""
    scenario = register_scenario(user, password, free_port())
    first = scenario.index("</send>\n") + len("</send>\n")
    scenario = scenario[:first] + '  <recv response="403"/>\n</scenario>\n'
    with tempfile.TemporaryDirectory(prefix="uzor-attacker-") as tmp:
        path = Path(tmp) / "register.xml"
        path.write_text(scenario)
        result = subprocess.run(
            [
                "sipp",
                f"{target[0]}:{target[1]}",
                "-sf",
                str(path),
                "-i",
                address,
                "-p",
                str(free_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                "20s",
                "-timeout_error",
            ],
            capture_output=True,
            text=True,
            timeout=40,
            check=False,
            cwd=tmp,
        )
        return f"{result.returncode}\n{result.stdout}{result.stderr}"


def test_a_workplace_with_its_password_is_refused_from_outside_the_app_node(
    tmp_path, asterisk_unit, admin_server, carrier
):
    """Stolen SIP credentials are useless from elsewhere: the unit takes a workplace's requests
    only from the app node (here 127.0.0.2, where the test's workplace phone sits)."""
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    with override_settings(UZOR_WORKPLACE_SIGNALLING_FROM=["127.0.0.2/32"]):
        assert all(r.ok for r in apply_dialplan())
    ast = unit.asterisk
    secret = model.workplace.sip_secret

    refused = _register_from(ATTACKER, (ast.sip_host, ast.sip_port), "1001", secret)
    assert refused.startswith("0\n"), refused
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", secret)  # from 127.0.0.2
    try:
        phone.register()
    finally:
        phone.close()
    assert "1001" in ast.cli("pjsip show contacts")


PACKAGED_ASTERISK = Path(__file__).resolve().parents[3] / "packaging/debian/uzor-pbx/etc/asterisk"


def _packaged_unit(asterisk_unit, extra: dict[str, str] | None = None):
    """A unit with uzor-pbx's own http.conf (its port made the unit's) and modules.conf."""
    http = (PACKAGED_ASTERISK / "http.conf.uzor").read_text()
    assert "bindport = 8088\n" in http
    unit = asterisk_unit(start=False)
    files = {
        "http.conf": http.replace("bindport = 8088\n", f"bindport = {unit.http_port}\n"),
        "modules.conf": (PACKAGED_ASTERISK / "modules.conf.uzor").read_text(),
        **(extra or {}),
    }
    for name, text in files.items():
        unit.write_config(name, text)
    unit.start()
    return unit


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


def test_the_units_http_listens_only_where_uzor_pbx_setup_says(asterisk_unit):
    """Asterisk's HTTP (the SIP WebSocket nginx proxies to) binds loopback until uzor-pbx-setup
    names the address the app node connects to (uzor/http_bind.conf), then only that one."""
    unit = _packaged_unit(asterisk_unit)
    assert f"Bound to 127.0.0.1:{unit.http_port}" in unit.cli("http show status")

    unit.write_config("uzor/http_bind.conf", "bindaddr = 127.0.0.2\n")
    unit.cli("module reload http")
    status = unit.cli("http show status")
    assert f"Bound to 127.0.0.2:{unit.http_port}" in status, status
    assert "/ws => Asterisk HTTP WebSocket" in status
    assert "/media" not in status and "/phoneprov" not in status, status
    assert _accepts("127.0.0.2", unit.http_port)
    assert not _accepts("127.0.0.1", unit.http_port)


def test_the_unit_loads_no_unused_channel_driver(asterisk_unit):
    """uzor-pbx's modules.conf: calls use PJSIP only; IAX2, Unistim, DUNDi (fixed UDP ports on
    every address) and the other drivers are not loaded."""
    unit = _packaged_unit(asterisk_unit)
    for module in (
        "chan_iax2",
        "chan_unistim",
        "chan_motif",
        "chan_audiosocket",
        "chan_websocket",
        "pbx_dundi",
    ):
        shown = unit.cli(f"module show like {module}")
        assert "0 modules loaded" in shown, shown
    types = unit.cli("core show channeltypes")
    assert "PJSIP" in types
    assert "IAX2" not in types, types
