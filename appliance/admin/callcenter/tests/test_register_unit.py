"""``uzor-admin register_unit``: a unit added or updated without the admin's pages, its token
only where --token-file says."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from appliance.admin.callcenter.models import PbxUnit
from appliance.ami.tests.certificates import make_identity

pytestmark = pytest.mark.usefixtures("admin_db")


def _run(*args: str, stdin: str = "", lang: str = "en") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "register_unit", *args, "--lang", lang, stdout=out, stderr=err, stdin=io.StringIO(stdin)
    )
    return out.getvalue(), err.getvalue()


def test_a_new_unit_gets_a_token_on_stdout_alone_and_the_message_on_stderr():
    out, err = _run("--name", "pbx1", "--address", "192.0.2.20", "--token-file", "-")
    token = out.strip()
    unit = PbxUnit.objects.get(name="pbx1")
    assert unit.check_token(token)
    assert len(out.splitlines()) == 1
    assert err.splitlines()[0] == "PBX unit pbx1 added."
    assert "plain TCP" in err.splitlines()[1]  # 192.0.2.20 is not this host, no certificate
    assert token not in err
    assert (unit.address, unit.ami_user, unit.ami_port) == ("192.0.2.20", "uzor-admin", 5038)


def test_the_token_file_is_new_and_only_its_owner_reads_it(tmp_path):
    path = tmp_path / "token"
    path.write_text("old\n")
    out, _ = _run("--name", "pbx1", "--address", "pbx1.example", "--token-file", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text().strip()
    assert PbxUnit.objects.get(name="pbx1").check_token(token)
    assert token not in out
    assert f"A new token was written to {path}" in out


def test_a_new_token_replaces_the_old_one():
    first, _ = _run("--name", "pbx1", "--address", "192.0.2.20", "--token-file", "-")
    second, _ = _run("--name", "pbx1", "--token-file", "-")
    unit = PbxUnit.objects.get(name="pbx1")
    assert unit.check_token(second.strip())
    assert not unit.check_token(first.strip())


def test_the_ami_secret_comes_from_stdin_and_a_repeat_changes_nothing():
    _run("--name", "pbx1", "--address", "192.0.2.20")
    report, _ = _run("--name", "pbx1", "--ami-secret-file", "-", "--json", stdin="s3cret\n")
    assert json.loads(report) == {
        "unit": "pbx1",
        "created": False,
        "changed": True,
        "fields": ["ami_secret"],
        "token_issued": False,
        "applied_revision": None,
        "last_apply_ok": None,
    }
    assert PbxUnit.objects.get(name="pbx1").ami_secret == "s3cret"
    again, _ = _run("--name", "pbx1", "--ami-secret-file", "-", "--json", stdin="s3cret\n")
    assert json.loads(again)["changed"] is False
    assert "s3cret" not in report + again


def test_json_carries_the_token_only_when_it_goes_to_stdout(tmp_path):
    report = json.loads(_run("--name", "pbx1", "--address", "h1", "--token-file", "-", "--json")[0])
    assert PbxUnit.objects.get(name="pbx1").check_token(report["token"])
    assert report["created"] is True
    to_file = json.loads(_run("--name", "pbx1", "--token-file", str(tmp_path / "t"), "--json")[0])
    assert "token" not in to_file


def test_an_unchanged_unit_says_so_in_russian():
    _run("--name", "pbx1", "--address", "192.0.2.20")
    out, _ = _run("--name", "pbx1", "--address", "192.0.2.20", lang="ru")
    assert out == "Юнит АТС pbx1 не изменён.\n"


def test_a_new_unit_needs_an_address():
    with pytest.raises(CommandError, match="--address is required"):
        _run("--name", "pbx1")
    assert not PbxUnit.objects.exists()


def test_bad_input_is_refused_with_the_field_named():
    with pytest.raises(CommandError, match="name:"):
        _run("--name", "bad name", "--address", "192.0.2.20", "--token-file", "-")
    with pytest.raises(CommandError, match="address:"):
        _run("--name", "pbx1", "--address", "not a host!", "--token-file", "-")
    assert not PbxUnit.objects.exists()


def test_an_empty_secret_is_refused(tmp_path):
    (tmp_path / "secret").write_text("\n")
    with pytest.raises(CommandError, match="is empty"):
        _run("--name", "pbx1", "--address", "h1", "--ami-secret-file", str(tmp_path / "secret"))
    with pytest.raises(CommandError, match="cannot read"):
        _run("--name", "pbx1", "--address", "h1", "--ami-secret-file", str(tmp_path / "none"))


MANAGER_D = """\
; Written by uzor-pbx-setup: the AMI users of the Uzor admin and agency.
[uzor-admin]
secret = admin-s3cret
deny = 0.0.0.0/0.0.0.0

[uzor-agency]
secret = agency-s3cret
read = call
"""


def test_the_ami_users_file_gives_the_admin_and_the_agency_their_own_users():
    _run("--name", "pbx1", "--address", "192.0.2.20")
    report, _ = _run("--name", "pbx1", "--ami-users-file", "-", "--json", stdin=MANAGER_D)
    assert json.loads(report)["fields"] == [
        "ami_secret",
        "agency_ami_user",
        "agency_ami_secret",
    ]
    unit = PbxUnit.objects.get(name="pbx1")
    assert (unit.ami_user, unit.ami_secret) == ("uzor-admin", "admin-s3cret")
    assert (unit.agency_ami_user, unit.agency_ami_secret) == ("uzor-agency", "agency-s3cret")
    again, _ = _run("--name", "pbx1", "--ami-users-file", "-", "--json", stdin=MANAGER_D)
    assert json.loads(again)["changed"] is False


def test_a_unit_set_up_before_the_two_users_keeps_one_for_both():
    _run("--name", "pbx1", "--address", "192.0.2.20")
    _run("--name", "pbx1", "--ami-users-file", "-", stdin="[uzor]\nsecret = old\n")
    unit = PbxUnit.objects.get(name="pbx1")
    assert (unit.ami_user, unit.ami_secret, unit.agency_ami_user) == ("uzor", "old", "")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_ami_users_file_without_the_admins_user_is_refused(lang):
    with pytest.raises(CommandError) as err:
        _run(
            "--name",
            "pbx1",
            "--address",
            "192.0.2.20",
            "--ami-users-file",
            "-",
            stdin="[someone]\nsecret = x\n",
            lang=lang,
        )
    expected = {"en": "names no AMI user uzor-admin", "ru": "нет пользователя AMI uzor-admin"}
    assert expected[lang] in str(err.value)
    assert not PbxUnit.objects.filter(name="pbx1").exists()


def test_the_ami_certificate_file_pins_the_units_certificate_and_an_empty_one_clears_it(tmp_path):
    pem = make_identity("uzor-ami pbx1").pem
    (tmp_path / "ami.pem").write_text(pem)
    _, err = _run(
        "--name",
        "pbx1",
        "--address",
        "192.0.2.20",
        "--ami-port",
        "5039",
        "--ami-cert-file",
        str(tmp_path / "ami.pem"),
    )
    assert "plain TCP" not in err
    assert PbxUnit.objects.get(name="pbx1").ami_tls_certificate == pem.strip()
    _, err = _run("--name", "pbx1", "--ami-cert-file", "-", stdin="")
    assert PbxUnit.objects.get(name="pbx1").ami_tls_certificate == ""
    assert "plain TCP" in err


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_ami_certificate_file_that_is_not_one_certificate_is_refused(lang):
    with pytest.raises(CommandError) as err:
        _run(
            "--name",
            "pbx1",
            "--address",
            "192.0.2.20",
            "--ami-cert-file",
            "-",
            stdin="-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n",
            lang=lang,
        )
    expected = {"en": "Not one PEM certificate", "ru": "Это не один сертификат PEM"}
    assert expected[lang] in str(err.value)
    assert not PbxUnit.objects.filter(name="pbx1").exists()


def test_only_one_file_option_reads_standard_input():
    with pytest.raises(CommandError, match="standard input"):
        _run(
            "--name",
            "pbx1",
            "--address",
            "192.0.2.20",
            "--ami-users-file",
            "-",
            "--ami-cert-file",
            "-",
            stdin=MANAGER_D,
        )
