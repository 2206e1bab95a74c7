import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.agency.main import main
from licensing import i18n as licensing_i18n
from licensing.errors import LicenseMissing
from licensing.gate import KeySource, LicenseRefusedError
from licensing.server_id import collect_facts
from uzor_common.exitcodes import NO_LICENSE, ExitCode

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The tests choose the operator's locale; the license gate re-reads it afterwards."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    monkeypatch.undo()
    licensing_i18n.set_language(None)


def russian(monkeypatch: pytest.MonkeyPatch, variable: str = "LANG") -> None:
    monkeypatch.setenv(variable, "ru_RU.UTF-8")
    licensing_i18n.set_language(None)


def refuse(component: str, path: Path, keys: KeySource) -> None:
    raise LicenseRefusedError(component, LicenseMissing(path=path), collect_facts())


def test_a_bad_key_stops_with_one_line_naming_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "1.yaml"
    config.write_text("listen: {prot: 1}\n")
    err = io.StringIO()
    started = []
    code = main(
        ["--config", str(config)], gate=refuse, stderr=err, run=lambda *a: started.append(a)
    )
    assert code == ExitCode.BAD_CONFIG
    assert err.getvalue() == f"uzor-agency: {config}: unknown key 'listen.prot'\n"
    assert started == []


def test_without_a_license_nothing_starts(tmp_path: Path) -> None:
    config = tmp_path / "1.yaml"
    config.write_text("")
    started = []
    code = main(
        ["--config", str(config)],
        gate=refuse,
        stderr=io.StringIO(),
        run=lambda *a: started.append(a),
    )
    assert code == NO_LICENSE
    assert started == []


def test_the_gate_gets_the_configured_license_paths(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("UZOR_LICENSE_PATH", raising=False)
    monkeypatch.delenv("UZOR_LICENSE_PUBKEYS", raising=False)
    config = tmp_path / "1.yaml"
    config.write_text("license: {path: /x/license.key, public_keys: /x/keys}\n")
    seen = []

    def gate(component: str, path: Path, keys: KeySource) -> object:
        seen.append((component, path, keys))
        return object()

    started = []
    assert (
        main(
            ["--config", str(config)],
            gate=gate,
            stderr=io.StringIO(),
            run=lambda c, i: started.append(i),
        )
        == ExitCode.OK
    )
    assert seen == [("uzor-agency", Path("/x/license.key"), Path("/x/keys"))]
    assert started[0].max_operators is None and started[0].max_pbx_units is None


def test_the_real_gate_refuses_a_missing_license(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("UZOR_LICENSE_PATH", raising=False)
    monkeypatch.delenv("UZOR_LICENSE_PUBKEYS", raising=False)
    config = tmp_path / "1.yaml"
    config.write_text(f"license: {{path: {tmp_path}/none.key, public_keys: {tmp_path}}}\n")
    err = io.StringIO()
    started = []
    code = main(["--config", str(config)], stderr=err, run=lambda *a: started.append(a))
    assert code == NO_LICENSE
    assert started == []


def test_the_config_error_line_is_russian_under_a_russian_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    russian(monkeypatch)
    config = tmp_path / "1.yaml"
    config.write_text("listen: {prot: 1}\n")
    err = io.StringIO()
    code = main(["--config", str(config)], gate=refuse, stderr=err, run=lambda *a: None)
    assert code == ExitCode.BAD_CONFIG
    assert err.getvalue() == f"uzor-agency: {config}: неизвестный ключ «listen.prot»\n"


@pytest.mark.parametrize("variable", ["LANGUAGE", "LC_ALL", "LC_MESSAGES"])
def test_the_gettext_variables_choose_the_language_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    russian(monkeypatch, variable)
    err = io.StringIO()
    code = main(["--config", str(tmp_path / "none.yaml")], gate=refuse, stderr=err)
    assert code == ExitCode.BAD_CONFIG
    assert err.getvalue().startswith(
        f"uzor-agency: {tmp_path}/none.yaml: не удаётся прочитать файл"
    )


def test_a_bad_value_is_explained_in_russian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    russian(monkeypatch)
    config = tmp_path / "1.yaml"
    config.write_text("")
    err = io.StringIO()
    assert (
        main(["--config", str(config), "--set", "listen.port=0"], gate=refuse, stderr=err)
        == ExitCode.BAD_CONFIG
    )
    assert err.getvalue() == (
        "uzor-agency: flag --set listen.port: недопустимое значение ключа «listen.port»: "
        "значение должно быть не меньше 1\n"
    )


def test_a_failed_start_is_one_russian_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    russian(monkeypatch)
    config = tmp_path / "1.yaml"
    config.write_text("")

    def broken(*_args: object) -> None:
        raise OSError("address already in use")

    err = io.StringIO()
    code = main(["--config", str(config)], gate=lambda *a: object(), stderr=err, run=broken)
    assert code == ExitCode.FAILURE
    assert err.getvalue() == "uzor-agency: запуск невозможен: address already in use\n"


def test_the_license_gate_refuses_in_russian_under_a_russian_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("UZOR_LICENSE_PATH", raising=False)
    monkeypatch.delenv("UZOR_LICENSE_PUBKEYS", raising=False)
    russian(monkeypatch)
    config = tmp_path / "1.yaml"
    config.write_text(f"license: {{path: {tmp_path}/none.key, public_keys: {tmp_path}}}\n")
    err = io.StringIO()
    code = main(["--config", str(config)], stderr=err, run=lambda *a: None)
    assert code == NO_LICENSE
    line = err.getvalue()
    assert line.count("\n") == 1 and capsys.readouterr().err == ""
    assert line.startswith("uzor-agency не запустится") and "Идентификатор этого сервера" in line, (
        line
    )


def test_help_is_russian_under_a_russian_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    russian(monkeypatch)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "переопределить один ключ" in capsys.readouterr().out
