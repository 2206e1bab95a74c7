"""save_license: verify a pasted license, then write it atomically; never a bad one."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from licensing import BadSignature, LicenseMalformed, WrongServer, load_license
from licensing.store import check_license_text, save_license
from licensing.tests.conftest import ISSUED, LicenseFactory, raw_facts, with_payload

Keys = dict[str, Ed25519PublicKey]
NOW = ISSUED + timedelta(days=1)


def test_it_saves_a_valid_pasted_license(
    tmp_path: Path, make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license()
    pasted = "Dear customer,\n" + license.armoured().replace("\n", " ") + "\nRegards"
    target = tmp_path / "etc" / "license.key"
    saved = save_license(pasted, target, public_keys, server=raw_facts(), now=NOW)
    assert saved == license
    assert target.read_text() == license.armoured()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert load_license(target) == license
    assert [p.name for p in target.parent.iterdir()] == ["license.key"]


def test_it_keeps_the_old_license_when_the_new_one_is_bad(
    tmp_path: Path, make_license: LicenseFactory, public_keys: Keys
) -> None:
    target = tmp_path / "license.key"
    good = make_license()
    save_license(good.armoured(), target, public_keys, server=raw_facts(), now=NOW)
    other = raw_facts(machine_id=None, dmi_uuid=None, macs=("00:16:3e:00:00:09",))
    with pytest.raises(WrongServer):
        save_license(
            make_license(server=other, license_id="LIC-2").armoured(),
            target,
            public_keys,
            server=raw_facts(),
            now=NOW,
        )
    tampered = with_payload(
        good, good.payload.replace(b'"max_operators":25', b'"max_operators":99')
    )
    assert tampered.payload != good.payload
    with pytest.raises(BadSignature):
        save_license(tampered.armoured(), target, public_keys, server=raw_facts(), now=NOW)
    assert load_license(target) == good
    assert [p.name for p in tmp_path.iterdir()] == ["license.key"]


def test_checking_a_text_writes_nothing_and_names_its_source(
    tmp_path: Path, make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license()
    assert check_license_text(license.armoured(), public_keys, server=raw_facts(), now=NOW) == (
        license
    )
    with pytest.raises(LicenseMalformed) as error:
        check_license_text("hello", public_keys, source="the pasted key", server=raw_facts())
    assert "The license in the pasted key is damaged" in str(error.value)
    assert list(tmp_path.iterdir()) == []
