"""`uzor-license`: commands, exit codes and one-line messages on stderr."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from licensing import armour
from licensing.cli import ExitCode, main
from licensing.server_id import current_server_id, format_server_id
from licensing.tests.conftest import raw_facts


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def fails(expected: ExitCode, *args: str) -> str:
    """Run expecting a failure with `expected`; return its single stderr line."""
    code, _out, err = run(*args)
    assert code == expected, err
    assert err.startswith("uzor-license: ")
    assert err.count("\n") == 1
    return err


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    assert run("keygen", "--out", str(tmp_path / "keys"))[0] == ExitCode.OK
    return tmp_path / "keys"


def sign(keys: Path, target: Path, *extra: str, server_id: str | None = None) -> Path:
    code, out, err = run(
        "sign",
        "--key",
        str(keys / "vendor.key"),
        "--server-id",
        server_id or current_server_id(),
        "--customer",
        "ACME",
        "--max-operators",
        "10",
        "-o",
        str(target),
        *extra,
    )
    assert code == ExitCode.OK, err
    assert "ACME" in out
    return target


def test_keygen_writes_a_private_key_only_its_owner_can_read(keys: Path) -> None:
    assert stat.S_IMODE((keys / "vendor.key").stat().st_mode) == 0o600
    assert (keys / "vendor.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in (keys / "vendor.pub").read_text()


def test_keygen_never_overwrites_a_key(keys: Path) -> None:
    before = (keys / "vendor.key").read_bytes()
    assert "never overwrites" in fails(ExitCode.USAGE, "keygen", "--out", str(keys))
    assert (keys / "vendor.key").read_bytes() == before


def test_server_id_prints_one_line() -> None:
    code, out, _err = run("server-id")
    assert code == ExitCode.OK
    assert out == current_server_id() + "\n"


def test_round_trip_on_this_machine(keys: Path, tmp_path: Path) -> None:
    license = sign(keys, tmp_path / "license.key", "--expires", "2099-12-31", "--modules", "a,b")
    code, out, err = run("verify", "--pubkey", str(keys / "vendor.pub"), str(license))
    assert (code, err) == (ExitCode.OK, "")
    assert out.startswith("VALID: license ")
    assert "2099-12-31T23:59:59Z" in out
    assert "a, b" in out
    code, out, _ = run("verify", "--pubkey", str(keys), str(license))
    assert code == ExitCode.OK


def test_a_server_id_pasted_with_line_breaks_and_spaces_is_taken(
    keys: Path, tmp_path: Path
) -> None:
    """A server ID copied from a terminal or an e-mail arrives wrapped and indented."""
    sid = current_server_id()
    pasted = "  " + sid[:40] + "\n" + sid[40:80] + " \r\n\t" + sid[80:] + "\n"
    license = sign(keys, tmp_path / "license.key", server_id=pasted)
    code, out, err = run("verify", "--pubkey", str(keys / "vendor.pub"), str(license))
    assert (code, err) == (ExitCode.OK, ""), out
    pub = str(keys / "vendor.pub")
    code, out, err = run("verify", "--pubkey", pub, "--server-id", pasted, str(license))
    assert (code, err) == (ExitCode.OK, ""), out


def test_sign_to_standard_output(keys: Path) -> None:
    code, out, _ = run(
        "sign",
        "--key",
        str(keys / "vendor.key"),
        "--server-id",
        current_server_id(),
        "--customer",
        "ACME",
        "--max-operators",
        "1",
        "-o",
        "-",
    )
    assert code == ExitCode.OK
    assert armour.decode(out, armour.LICENSE_LABEL).key_id


def test_verify_a_tampered_file_names_the_signature(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key")
    block = armour.decode(path.read_text(), armour.LICENSE_LABEL)
    data = json.loads(block.payload)
    data["limits"]["max_operators"] = 1000
    path.write_text(
        armour.encode(
            armour.LICENSE_LABEL, block.key_id, block.signature, json.dumps(data).encode()
        )
    )
    err = fails(ExitCode.BAD_SIGNATURE, "verify", "--pubkey", str(keys / "vendor.pub"), str(path))
    assert "signature" in err


def test_verify_with_a_flipped_signature(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key")
    block = armour.decode(path.read_text(), armour.LICENSE_LABEL)
    flipped = bytes([block.signature[0] ^ 0x80]) + block.signature[1:]
    path.write_text(armour.encode(armour.LICENSE_LABEL, block.key_id, flipped, block.payload))
    err = fails(ExitCode.BAD_SIGNATURE, "verify", "--pubkey", str(keys / "vendor.pub"), str(path))
    assert "signature" in err


def test_verify_against_another_server(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key")
    other = format_server_id(raw_facts())
    err = fails(
        ExitCode.WRONG_SERVER,
        "verify",
        "--pubkey",
        str(keys),
        "--server-id",
        other,
        str(path),
    )
    assert "another server" in err


def test_verify_with_an_unknown_key(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key")
    run("keygen", "--out", str(tmp_path / "other"))
    err = fails(ExitCode.UNKNOWN_KEY, "verify", "--pubkey", str(tmp_path / "other"), str(path))
    assert "does not know" in err


def test_verify_errors_have_their_own_exit_codes(keys: Path, tmp_path: Path) -> None:
    pub = str(keys / "vendor.pub")
    missing = fails(ExitCode.LICENSE_MISSING, "verify", "--pubkey", pub, str(tmp_path / "none"))
    assert "server's ID" in missing
    (tmp_path / "junk").write_text("hello")
    assert "damaged" in fails(
        ExitCode.LICENSE_MALFORMED, "verify", "--pubkey", pub, str(tmp_path / "junk")
    )
    err = fails(ExitCode.KEY_ERROR, "verify", "--pubkey", str(tmp_path / "nokeys"), "x")
    assert "uzor-common" in err
    err = fails(ExitCode.BAD_SERVER_ID, "verify", "--pubkey", pub, "--server-id", "2|x", "x")
    assert "version 2" in err


def test_sign_refuses_bad_values(keys: Path, tmp_path: Path) -> None:
    key = str(keys / "vendor.key")
    base = [
        "sign",
        "--key",
        key,
        "--customer",
        "ACME",
        "--max-operators",
        "5",
        "-o",
        str(tmp_path / "l"),
    ]
    assert "1|" in fails(ExitCode.BAD_SERVER_ID, *base, "--server-id", "hello")
    sid = current_server_id()
    assert "past" in fails(ExitCode.USAGE, *base, "--server-id", sid, "--expires", "2000-01-01")
    assert "2027-01-31" in fails(ExitCode.USAGE, *base, "--server-id", sid, "--expires", "soon")
    assert "modules" in fails(ExitCode.USAGE, *base, "--server-id", sid, "--modules", "Bad Name")
    err = fails(
        ExitCode.USAGE,
        *base[:-2],
        "--max-operators",
        "0",
        "-o",
        str(tmp_path / "l"),
        "--server-id",
        sid,
    )
    assert "max_operators" in err
    (keys / "bad.key").write_text("nope")
    err = fails(
        ExitCode.KEY_ERROR, "sign", "--key", str(keys / "bad.key"), *base[3:], "--server-id", sid
    )
    assert "vendor.key" in err
    assert not (tmp_path / "l").exists()


def test_sign_does_not_overwrite_without_force(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key")
    assert "--force" in fails(
        ExitCode.USAGE,
        "sign",
        "--key",
        str(keys / "vendor.key"),
        "--server-id",
        current_server_id(),
        "--customer",
        "B",
        "--max-operators",
        "1",
        "-o",
        str(path),
    )
    sign(keys, path, "--force")


def test_show_prints_the_payload_without_claiming_validity(keys: Path, tmp_path: Path) -> None:
    path = sign(keys, tmp_path / "license.key", "--max-units", "3")
    code, out, _ = run("show", str(path))
    assert code == ExitCode.OK
    assert out.startswith("NOT VERIFIED")
    assert "Max PBX units: 3" in out
    assert "Expires:       never" in out


def test_usage_errors_exit_2_on_the_given_stream() -> None:
    code, out, err = run("sign")
    assert code == ExitCode.USAGE == 2
    assert out == ""
    assert "--key" in err
    code, out, _ = run("--help")
    assert code == 0
    assert "keygen" in out


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    _code, _out, err = run("--debug", "show", str(tmp_path / "none"))
    assert "Traceback" in err
    _code, _out, err = run("show", str(tmp_path / "none"))
    assert "Traceback" not in err


def test_an_unexpected_error_asks_for_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    from licensing import cli_commands

    def explode(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_commands, "current_server_id", explode)
    err = fails(ExitCode.FAILURE, "server-id")
    assert "boom" in err
    assert "--debug" in err


def test_lang_option_switches_to_russian(tmp_path: Path) -> None:
    err = fails(ExitCode.LICENSE_MISSING, "--lang", "ru", "show", str(tmp_path / "none"))
    assert "Нет файла лицензии" in err


def test_detached_file_signatures(keys: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "MANIFEST"
    manifest.write_bytes(b"abc  file1\n")
    assert run("sign-file", "--key", str(keys / "vendor.key"), str(manifest))[0] == ExitCode.OK
    code, out, err = run("verify-file", "--pubkey", str(keys), str(manifest))
    assert (code, err) == (ExitCode.OK, "")
    assert "VALID" in out
    manifest.write_bytes(b"abd  file1\n")
    assert "changed" in fails(
        ExitCode.BAD_SIGNATURE, "verify-file", "--pubkey", str(keys), str(manifest)
    )


def test_the_console_entry_point_is_installed(keys: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "uzor-license"
    assert script.exists(), "run `make venv` (pyproject [project.scripts])"
    result = subprocess.run(
        [str(script), "verify", "--pubkey", str(keys), str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"LANGUAGE": "en"},
    )
    assert result.returncode == ExitCode.LICENSE_MISSING
    assert result.stdout == ""
    assert "no license file" in result.stderr
