"""The PBX fixtures for real: Asterisk units in the sid root, AMI, and calls over a carrier."""

import base64
import os
import socket

import pytest

from testkit.ami import AmiClient, AmiError, AmiMessage
from testkit.pbx import AsteriskUnit, Carrier, UnitBootError

pytestmark = pytest.mark.integration

ANSWER_AND_PLAY = """\
[from-carrier]
exten => _X.,1,Answer()
 same => n,Playback(hello-world)
 same => n,Hangup()
"""


def _next(ami: AmiClient, after: AmiMessage | int, name: str, uniqueid: str) -> AmiMessage:
    since = after if isinstance(after, int) else after.position + 1
    return ami.wait_event(lambda e: e.name == name and e.get("Uniqueid") == uniqueid, 20, since)


def test_a_unit_answers_ami_login_and_core_status(asterisk_unit):
    unit: AsteriskUnit = asterisk_unit()
    with unit.ami() as ami:
        status = ami.action("CoreStatus")
    assert status["Response"] == "Success"
    assert status["CoreCurrentCalls"] == "0"
    assert "Asterisk 22." in unit.cli("core show version")
    with pytest.raises(AmiError, match="login"), AmiClient(unit.ami_host, unit.ami_port) as ami:
        ami.login(unit.ami_user, "not-the-secret")


def test_a_carrier_call_is_answered_by_playback_on_the_unit(asterisk_unit, carrier: Carrier):
    unit = asterisk_unit(
        {
            "pjsip.d/carrier.conf": carrier.unit_trunk_config(context="from-carrier"),
            "extensions.d/in.conf": ANSWER_AND_PLAY,
        }
    )
    carrier.point_at(unit)
    with unit.ami() as ami:
        mark = ami.mark()
        report = carrier.call("4951234567", caller_id='"Ivan" <79161234567>', hold=30)

        new = ami.wait_event(
            lambda e: e.name == "Newchannel" and e.get("Exten") == "4951234567", 20, mark
        )
        assert new["CallerIDNum"] == "79161234567"
        assert new["Channel"].startswith("PJSIP/carrier-")
        uniqueid = new["Uniqueid"]
        up = _next(ami, new, "Newstate", uniqueid)
        assert up["ChannelStateDesc"] == "Up"
        playback = ami.wait_event(
            lambda e: (
                e.name == "Newexten"
                and e.get("Uniqueid") == uniqueid
                and e.get("Application") == "Playback"
            ),
            20,
            up.position,
        )
        assert playback["AppData"] == "hello-world"
        hangup = _next(ami, playback, "Hangup", uniqueid)
        assert hangup["Cause"] == "16"  # normal clearing: the unit hung up after the prompt

    assert report.answered
    assert report.originate_response == "Success"
    assert report.answer_delay is not None and report.answer_delay > 0
    assert report.duration is not None and report.duration > 0
    assert report.cause == 16


def test_a_unit_knows_this_machines_name_without_dns(asterisk_unit):
    """Asterisk looks its host name up on every call's ICE set-up; in a unit without it in
    /etc/hosts that asked DNS (twice) each time and stalled calls whenever the resolver dropped
    a query (testkit.pbx_unit._hosts_file). Asterisk itself runs the lookup, in its root."""
    name = socket.gethostname()
    lookup = f"getent -s files hosts {name} >/dev/null && echo 'exten => resolved,1,NoOp()'"
    unit: AsteriskUnit = asterisk_unit(
        {"extensions.d/hosts.conf": f'[hosts-check]\n#exec "{lookup}"\n'}
    )
    assert "resolved" in unit.cli("dialplan show hosts-check")


def test_the_carrier_reports_an_unanswered_call(asterisk_unit, carrier: Carrier):
    busy = "[from-carrier]\nexten => _X.,1,Hangup(17)\n"
    unit = asterisk_unit(
        {"pjsip.d/carrier.conf": carrier.unit_trunk_config(), "extensions.d/in.conf": busy}
    )
    carrier.point_at(unit)

    report = carrier.call("4951234567")

    assert not report.answered
    assert report.duration is None
    assert report.originate_response == "Failure"
    assert report.cause == 17


def test_the_carrier_receives_a_call_from_the_unit_with_number_and_caller_id(
    asterisk_unit, carrier: Carrier
):
    outbound = """\
[outbound]
exten => _X.,1,Set(CALLERID(all)="Uzor Desk" <74951112233>)
 same => n,Dial(PJSIP/${EXTEN}@carrier,20)
 same => n,Hangup()
"""
    unit = asterisk_unit(
        {"pjsip.d/carrier.conf": carrier.unit_trunk_config(), "extensions.d/out.conf": outbound}
    )
    carrier.point_at(unit)
    carrier.set_inbound("answer", playback="beep", hold=0.5)
    since = carrier.events.mark()
    with unit.ami() as ami:
        sent = ami.action(
            "Originate",
            Channel="Local/89001234567@outbound",
            Application="Wait",
            Data="5",
            Async="true",
        )
        assert sent["Response"] == "Success"
        received = carrier.wait_for_call(timeout=20, since=since)
        answered = ami.wait_event(lambda e: e.name == "OriginateResponse", 20)

    assert received.number == "89001234567"
    assert received.caller_id_num == "74951112233"
    assert received.caller_id_name == "Uzor Desk"
    assert "74951112233" in received.from_header
    assert answered["Response"] == "Success"
    assert carrier.received_calls() == [received]


def test_two_units_run_side_by_side(asterisk_unit):
    first, second = asterisk_unit(name="first"), asterisk_unit(name="second")
    assert len({first.sip_port, second.sip_port, first.ami_port, second.ami_port}) == 4
    first.cli("dialplan set global WHO first")
    second.cli("dialplan set global WHO second")
    for unit, who in ((first, "first"), (second, "second")):
        with unit.ami() as ami:
            assert ami.action("Getvar", Variable="WHO")["Value"] == who
        assert f"127.0.0.1:{unit.sip_port}" in unit.cli("pjsip show transports")
    assert first.config_dir != second.config_dir
    # The units' mounts live in their own namespaces: none is visible here.
    with open("/proc/mounts") as mounts:
        assert str(first.rootfs) not in mounts.read()


def test_a_unit_restarts_with_its_edited_config(asterisk_unit):
    unit = asterisk_unit()
    old_pid = unit.pid
    unit.write_config("extensions.d/new.conf", "[added]\nexten => 1,1,NoOp(added)\n")

    unit.restart()

    assert unit.pid != old_pid
    assert "'1' =>" in unit.cli("dialplan show added")
    with unit.ami() as ami:
        assert ami.action("CoreStatus")["Response"] == "Success"


def test_a_unit_that_fails_to_boot_reports_its_log_tail(asterisk_unit):
    broken = "[modules]\nautoload = yes\nrequire = chan_doesnotexist.so\n"

    with pytest.raises(UnitBootError, match="failed to boot") as failure:
        asterisk_unit({"modules.conf": broken}, name="broken", timeout=30)

    assert "chan_doesnotexist" in str(failure.value)


def test_a_unit_includes_config_generated_by_an_exec_program_from_a_bound_dir(
    asterisk_unit, tmp_path
):
    (tmp_path / "gen.py").write_text(
        'print("[generated]")\nprint("exten => 100,1,NoOp(from generator)")\n'
    )
    unit = asterisk_unit(
        {"extensions.d/gen.conf": "#exec /usr/bin/python3 /srv/uzor-unit/mnt/gen/gen.py\n"},
        binds={"gen": tmp_path},
    )

    assert unit.path_in_unit("gen") == "/srv/uzor-unit/mnt/gen"
    assert "NoOp(from generator)" in unit.cli("dialplan show generated")


def test_a_unit_accepts_sip_over_websocket(asterisk_unit):
    unit = asterisk_unit()
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{unit.http_port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: sip\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", unit.http_port), timeout=10) as sock:
        sock.sendall(request.encode())
        reply = sock.recv(4096).decode(errors="replace")

    assert reply.startswith("HTTP/1.1 101"), reply
    assert "Sec-WebSocket-Protocol: sip" in reply


def test_the_carrier_plays_a_prompt_and_sends_dtmf_the_unit_reads(asterisk_unit, carrier):
    read_digits = """\
[from-carrier]
exten => _X.,1,Answer()
 same => n,Read(DIGITS,,3,,,10)
 same => n,UserEvent(GotDigits,Digits: ${DIGITS})
 same => n,Hangup()
"""
    unit = asterisk_unit(
        {"pjsip.d/carrier.conf": carrier.unit_trunk_config(), "extensions.d/in.conf": read_digits}
    )
    carrier.point_at(unit)
    with unit.ami() as ami:
        call = carrier.start_call("4951234567", playback="beep", hold=20)
        assert call.wait_answered(timeout=20)
        call.send_dtmf("407")
        got = ami.wait_event(lambda e: e.get("UserEvent") == "GotDigits", 20)
        report = call.wait_ended(timeout=30)

    assert got["Digits"] == "407"
    assert report.answered and report.cause == 16


def test_a_stopped_unit_leaves_no_process_and_can_start_again(asterisk_unit):
    unit = asterisk_unit()
    pid = unit.pid

    unit.stop()

    assert not unit.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(RuntimeError, match="not running"):
        unit.cli("core show uptime")
    unit.start()
    assert "System uptime" in unit.cli("core show uptime")
