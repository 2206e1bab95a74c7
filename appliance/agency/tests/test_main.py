import io
from pathlib import Path

from appliance.agency.main import Exit, main


def refuse(component: str, path: Path, keys: Path) -> None:
    raise SystemExit(3)


def test_a_bad_key_stops_with_one_line_naming_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "1.yaml"
    config.write_text("listen: {prot: 1}\n")
    err = io.StringIO()
    started = []
    code = main(
        ["--config", str(config)], gate=refuse, stderr=err, run=lambda *a: started.append(a)
    )
    assert code == Exit.BAD_CONFIG
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
    assert code == Exit.NO_LICENSE
    assert started == []


def test_the_gate_gets_the_configured_license_paths(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("UZOR_LICENSE_PATH", raising=False)
    monkeypatch.delenv("UZOR_LICENSE_PUBKEYS", raising=False)
    config = tmp_path / "1.yaml"
    config.write_text("license: {path: /x/license.key, public_keys: /x/keys}\n")
    seen = []

    def gate(component: str, path: Path, keys: Path) -> object:
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
        == Exit.OK
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
    assert code == Exit.NO_LICENSE
    assert started == []
