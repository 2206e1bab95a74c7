"""verify(): each failure raises its own error with a message an administrator can act on."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from licensing import (
    BadSignature,
    Expired,
    License,
    LicenseError,
    NotYetValid,
    UnknownKey,
    WrongServer,
    i18n,
    load_license,
    verify,
)
from licensing.keys import key_id
from licensing.server_id import collect_facts
from licensing.tests.conftest import ISSUED, LicenseFactory, raw_facts, with_payload
from licensing.verify import CLOCK_SKEW_TOLERANCE

Keys = dict[str, Ed25519PublicKey]
NOW = ISSUED + timedelta(days=30)


def test_it_round_trips_on_this_real_machine(
    vendor_key: Ed25519PrivateKey,
    public_keys: Keys,
    make_license: LicenseFactory,
    write_license: Callable[[License], Path],
) -> None:
    license = make_license(server=collect_facts(), not_after=None, issued_at=None)
    loaded = load_license(write_license(license))
    verify(loaded, public_keys, collect_facts())
    assert loaded.customer == "ACME Call Center"


def test_a_valid_license_passes(make_license: LicenseFactory, public_keys: Keys) -> None:
    verify(make_license(), public_keys, raw_facts(), now=NOW)


def test_a_changed_payload_fails_the_signature(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license()
    data = json.loads(license.payload)
    data["limits"]["max_operators"] = 5000
    tampered = with_payload(license, json.dumps(data).encode())
    with pytest.raises(BadSignature) as caught:
        verify(tampered, public_keys, raw_facts(), now=NOW)
    assert "signature" in str(caught.value)
    assert "LIC-0001" in str(caught.value)


def test_a_changed_signature_fails(make_license: LicenseFactory, public_keys: Keys) -> None:
    license = make_license()
    flipped = bytes([license.signature[0] ^ 1]) + license.signature[1:]
    with pytest.raises(BadSignature):
        verify(replace(license, signature=flipped), public_keys, raw_facts(), now=NOW)


def test_a_signature_from_another_key_with_a_forged_key_id_fails(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    forged = make_license(key=Ed25519PrivateKey.generate())
    forged = replace(forged, key_id=next(iter(public_keys)))
    with pytest.raises(BadSignature):
        verify(forged, public_keys, raw_facts(), now=NOW)


def test_an_unknown_key_is_named(make_license: LicenseFactory, public_keys: Keys) -> None:
    other = Ed25519PrivateKey.generate()
    license = make_license(key=other)
    with pytest.raises(UnknownKey) as caught:
        verify(license, public_keys, raw_facts(), now=NOW)
    message = str(caught.value)
    assert key_id(other.public_key()) in message
    assert next(iter(public_keys)) in message
    assert "Update Uzor" in message


def test_key_rotation_accepts_any_known_key(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    new_key = Ed25519PrivateKey.generate()
    keys = public_keys | {key_id(new_key.public_key()): new_key.public_key()}
    verify(make_license(key=new_key), keys, raw_facts(), now=NOW)
    verify(make_license(), keys, raw_facts(), now=NOW)


def test_another_server_is_refused(make_license: LicenseFactory, public_keys: Keys) -> None:
    other = raw_facts(
        machine_id="ffffffffffffffffffffffffffffffff",
        dmi_uuid="11111111-2222-3333-4444-555555555555",
        macs=("00:16:3e:00:00:01",),
        hostname="elsewhere",
    )
    with pytest.raises(WrongServer) as caught:
        verify(make_license(), public_keys, other, now=NOW)
    message = str(caught.value)
    assert "pbx1.example" in message
    assert "0 of the 3" in message
    assert "machine-id: different" in message
    assert "Send this server's ID" in message


def test_one_nic_changed_is_still_valid(make_license: LicenseFactory, public_keys: Keys) -> None:
    changed = raw_facts(macs=("52:54:00:12:34:56", "52:54:00:99:99:99"))
    verify(make_license(), public_keys, changed, now=NOW)
    verify(make_license(), public_keys, raw_facts(macs=("52:54:00:99:99:99",)), now=NOW)


def test_dmi_missing_is_still_valid(make_license: LicenseFactory, public_keys: Keys) -> None:
    verify(make_license(), public_keys, raw_facts(dmi_uuid=None), now=NOW)
    no_dmi = make_license(server=raw_facts(dmi_uuid=None))
    verify(no_dmi, public_keys, raw_facts(dmi_uuid=None), now=NOW)


def test_dmi_missing_and_the_only_nic_replaced_is_refused(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license(server=raw_facts(dmi_uuid=None, macs=("52:54:00:12:34:56",)))
    server = raw_facts(dmi_uuid=None, macs=("52:54:00:77:77:77",))
    with pytest.raises(WrongServer, match="1 of the 3"):
        verify(license, public_keys, server, now=NOW)


def test_an_expired_license_is_refused(make_license: LicenseFactory, public_keys: Keys) -> None:
    license = make_license(not_after=ISSUED + timedelta(days=10))
    verify(license, public_keys, raw_facts(), now=ISSUED + timedelta(days=10))
    with pytest.raises(Expired) as caught:
        verify(license, public_keys, raw_facts(), now=ISSUED + timedelta(days=10, seconds=1))
    assert "2026-01-25T12:00:00Z" in str(caught.value)
    assert "renew" in str(caught.value)


def test_a_perpetual_license_never_expires(make_license: LicenseFactory, public_keys: Keys) -> None:
    verify(make_license(not_after=None), public_keys, raw_facts(), now=NOW + timedelta(days=9999))


def test_a_license_issued_in_the_future_is_not_yet_valid(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    with pytest.raises(NotYetValid) as caught:
        verify(make_license(), public_keys, raw_facts(), now=ISSUED - timedelta(hours=1))
    assert "2026-01-15T12:00:00Z" in str(caught.value)
    assert "clock" in str(caught.value)


def test_a_clock_set_back_to_revive_an_expired_license_is_refused(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license(not_after=ISSUED + timedelta(days=10))
    with pytest.raises(NotYetValid, match="set back"):
        verify(license, public_keys, raw_facts(), now=ISSUED - timedelta(days=200))


def test_a_few_minutes_of_clock_skew_are_tolerated(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    verify(make_license(), public_keys, raw_facts(), now=ISSUED - CLOCK_SKEW_TOLERANCE)
    with pytest.raises(NotYetValid):
        verify(
            make_license(),
            public_keys,
            raw_facts(),
            now=ISSUED - CLOCK_SKEW_TOLERANCE - timedelta(seconds=1),
        )


def test_the_signature_is_checked_before_anything_else(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license(not_after=ISSUED + timedelta(days=1))
    tampered = with_payload(license, license.payload.replace(b"ACME", b"EVIL"))
    stranger = raw_facts(machine_id=None, dmi_uuid=None, macs=())
    with pytest.raises(BadSignature):
        verify(tampered, public_keys, stranger, now=ISSUED + timedelta(days=99))


def test_a_naive_time_is_a_programming_error(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    with pytest.raises(ValueError, match="aware"):
        verify(make_license(), public_keys, raw_facts(), now=NOW.replace(tzinfo=None))


def test_every_error_is_a_license_error_with_a_one_line_message(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    with pytest.raises(LicenseError) as caught:
        verify(make_license(), {}, raw_facts(), now=NOW)
    assert "\n" not in str(caught.value)
    assert "none" in str(caught.value)


def test_messages_are_translated_to_russian(
    make_license: LicenseFactory, public_keys: Keys
) -> None:
    i18n.set_language("ru")
    with pytest.raises(Expired) as caught:
        verify(make_license(), public_keys, raw_facts(), now=NOW + timedelta(days=999))
    assert "Лицензия LIC-0001" in str(caught.value)


def test_untrusted_text_in_a_message_stays_on_one_printable_line() -> None:
    from licensing.errors import LicenseMalformed

    message = str(LicenseMalformed(path="/etc/uzor/license.key", reason="bad\nfield\x1b[2J"))
    assert "\n" not in message
    assert "\x1b" not in message
    assert "bad field [2J" in message
