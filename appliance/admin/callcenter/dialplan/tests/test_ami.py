"""The small AMI client against a fake manager socket, and Apply's per-unit failure reports."""

from __future__ import annotations

import socket
import threading

import pytest
from django.utils import translation

from appliance.admin.callcenter.ami import AmiClient, AmiError
from appliance.admin.callcenter.apply import UnitTarget, reload_unit
from appliance.ami.tests.certificates import make_identity
from appliance.ami.tests.test_tls import serve_once
from testkit.tools import free_port


def _serve_once(script: list[bytes], received: list[bytes] | None = None) -> int:
    """A one-connection TCP server that sends each chunk after reading a request (kept in
    ``received``)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(script[0])
            for chunk in script[1:]:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(4096)
                if received is not None:
                    received.append(data)
                action_id = data.split(b"ActionID: ")[1].split(b"\r\n")[0]
                conn.sendall(chunk.replace(b"{id}", action_id))
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def test_it_skips_events_and_returns_the_response_with_its_action_id():
    port = _serve_once(
        [
            b"Asterisk Call Manager/11.0.0\r\n",
            b"\r\nEvent: FullyBooted\r\n\r\nResponse: Success\r\nActionID: {id}\r\n"
            b"Message: Authentication accepted\r\n\r\n",
            b"Response: Success\r\nActionID: {id}\r\nVariable: UZOR_REVISION\r\nValue: 42\r\n\r\n",
        ]
    )
    with AmiClient("127.0.0.1", port) as ami:
        ami.login("uzor", "secret")
        assert ami.action("Getvar", Variable="UZOR_REVISION")["Value"] == "42"


def test_a_refused_login_and_a_stranger_are_clear_errors():
    port = _serve_once(
        [
            b"Asterisk Call Manager/11.0.0\r\n",
            b"Response: Error\r\nActionID: {id}\r\nMessage: Authentication failed\r\n\r\n",
        ]
    )
    with AmiClient("127.0.0.1", port) as ami, pytest.raises(AmiError, match="refused"):
        ami.login("uzor", "wrong")
    stranger = _serve_once([b"SSH-2.0-OpenSSH_9.2\r\n"])
    with pytest.raises(AmiError, match="not an Asterisk manager"):
        AmiClient("127.0.0.1", stranger)


def test_header_values_cannot_inject_a_second_action():
    port = _serve_once([b"Asterisk Call Manager/11.0.0\r\n"])
    with AmiClient("127.0.0.1", port) as ami, pytest.raises(AmiError, match="line break"):
        ami.action("Getvar", Variable="X\r\nAction: Command")


def test_a_unit_that_is_down_is_reported_failed_with_the_reason():
    target = UnitTarget(1, "pbx9", "127.0.0.1", free_port(), "uzor", "secret", 7)
    result = reload_unit(target, timeout=2)
    assert not result.ok and result.revision == 7 and result.running is None
    assert "cannot connect to AMI at 127.0.0.1" in result.message


def _unit_answering_revision(value: str, received: list[bytes] | None = None) -> int:
    reload_ok = b"Response: Success\r\nActionID: {id}\r\nMessage: Module Reloaded\r\n\r\n"
    return _serve_once(
        [
            b"Asterisk Call Manager/11.0.0\r\n",
            b"Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n",
            b"Response: Success\r\nActionID: {id}\r\nCategory-000000: startup_commands\r\n\r\n",
            reload_ok,
            reload_ok,
            reload_ok,
            reload_ok,
            reload_ok,
            b"Response: Success\r\nActionID: {id}\r\nVariable: UZOR_REVISION\r\nValue: "
            + value.encode()
            + b"\r\n\r\n",
        ],
        received,
    )


@pytest.mark.parametrize(("running", "ok"), [("7", True), ("8", True), ("6", False), ("", False)])
def test_the_read_back_decides_applied_or_not(running, ok):
    port = _unit_answering_revision(running)
    result = reload_unit(UnitTarget(1, "pbx1", "127.0.0.1", port, "uzor", "secret", 7))
    assert result.ok is ok
    if not ok:
        assert "did not take the new configuration" in result.message


def test_the_unit_ends_confgens_pass_before_the_first_reload():
    """GetConfig of cli.conf runs its ``#exec uzor-confgen --end-pass`` on the unit: the
    reloads' first read asks the admin for the revision this Apply made (confgen.py says why)."""
    received: list[bytes] = []
    port = _unit_answering_revision("7", received)
    assert reload_unit(UnitTarget(1, "pbx1", "127.0.0.1", port, "uzor", "secret", 7)).ok
    actions = [r.split(b"Action: ")[1].split(b"\r\n")[0] for r in received]
    assert actions == [
        b"Login",
        b"GetConfig",
        b"Reload",
        b"Reload",
        b"Reload",
        b"Reload",
        b"Reload",
        b"Getvar",
    ]
    assert b"Filename: cli.conf\r\n" in received[1]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_unit_that_cannot_end_the_pass_is_reported_failed_and_not_reloaded(language):
    received: list[bytes] = []
    port = _serve_once(
        [
            b"Asterisk Call Manager/11.0.0\r\n",
            b"Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n",
            b"Response: Error\r\nActionID: {id}\r\nMessage: Config file not found\r\n\r\n",
        ],
        received,
    )
    with translation.override(language):
        result = reload_unit(UnitTarget(1, "pbx1", "127.0.0.1", port, "uzor", "secret", 7))
    assert not result.ok and result.running is None
    assert f"127.0.0.1:{port}" in result.message and "cli.conf" in result.message
    assert "not found" not in result.message  # the unit's own words go to the log only
    if language == "ru":
        assert "не смог прочитать cli.conf" in result.message
    assert not any(b"Action: Reload" in r for r in received)


def test_a_unit_that_hangs_up_or_stays_silent_is_a_clear_error():
    closing = _serve_once([b"Asterisk Call Manager/11.0.0\r\n", b""])
    with AmiClient("127.0.0.1", closing) as ami, pytest.raises(AmiError, match="closed the conn"):
        ami.login("uzor", "secret")
    silent = _serve_once([b"Asterisk Call Manager/11.0.0\r\n", b"Event: Noise\r\n\r\n", b""])
    late = pytest.raises(AmiError, match=rf"no answer from AMI at 127.0.0.1:{silent} to Login in")
    with AmiClient("127.0.0.1", silent, timeout=0.5) as ami, late:
        ami.login("uzor", "secret")


HOSTILE = b"<script>alert('EVIL')</script> \x1b[2J please call +1 900 EVIL"


def _hostile_units() -> dict[str, int]:
    """Fake units whose banner or answers carry text the admin must never show."""
    greeting = b"Asterisk Call Manager/" + HOSTILE + b"\r\n"
    login_ok = b"Response: Success\r\nActionID: {id}\r\nMessage: " + HOSTILE + b"\r\n\r\n"
    refused = b"Response: Error\r\nActionID: {id}\r\nMessage: " + HOSTILE + b"\r\n\r\n"
    return {
        "stranger's banner": _serve_once([HOSTILE + b"\r\n"]),
        "endless banner": _serve_once([HOSTILE * 40]),
        "refused login": _serve_once([greeting, refused]),
        "refused reload": _serve_once([greeting, login_ok, refused]),
        "unreadable answer": _serve_once([greeting, HOSTILE * 100_000]),
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_apply_never_shows_what_the_other_host_sent(language):
    """A host posing as a unit (or a unit gone wrong) sends a hostile banner or messages: the
    admin reports a fixed, translated reason with the unit's host:port, none of those bytes."""
    for case, port in _hostile_units().items():
        target = UnitTarget(1, "pbx1", "127.0.0.1", port, "uzor", "secret", 7)
        with translation.override(language):
            result = reload_unit(target, timeout=2)
        assert not result.ok, case
        assert f"127.0.0.1:{port}" in result.message, (case, result.message)
        for fragment in ("EVIL", "script", "alert", "\x1b", "900"):
            assert fragment not in result.message, (case, result.message)
        if language == "ru":
            assert any("а" <= ch <= "я" for ch in result.message), (case, result.message)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_wrong_certificate_plain_tcp_and_an_unusable_pin_are_fixed_translated_reasons(language):
    """AMI over TLS: the unit's certificate is not the pinned one, the port speaks plain AMI (a
    hostile banner the reason must not echo), or the stored certificate is unusable."""
    unit, other = make_identity("uzor-ami pbx1"), make_identity("uzor-ami pbx1")
    impostor, _ = serve_once(other.server_context())
    plain = _serve_once([b"Asterisk Call Manager/11.0.0 <b>\x1b[31m+74951234567\r\n"])
    expected = {
        "en": ("did not show the AMI certificate pinned", "no TLS from AMI", "not a PEM"),
        "ru": ("предъявил не тот сертификат AMI", "не отвечает по TLS", "не является сертификатом"),
    }[language]
    with translation.override(language):
        reasons = []
        for port, pem in ((impostor, unit.pem), (plain, unit.pem), (free_port(), "nonsense")):
            target = UnitTarget(1, "pbx1", "127.0.0.1", port, "uzor", "secret", 7, pem)
            result = reload_unit(target, timeout=5)
            assert not result.ok
            reasons.append(result.message)
    for reason, text in zip(reasons, expected, strict=True):
        assert text in reason and "127.0.0.1:" in reason, reason
        assert "<b>" not in reason and "\x1b" not in reason and "7495" not in reason
