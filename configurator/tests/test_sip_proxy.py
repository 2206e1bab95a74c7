"""uzor-sip-proxies: nginx's /sip/<unit> locations from the PBX units, checked, written only when
they change, kept only when nginx accepts them."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from configurator import sip_proxy as cli
from configurator.core import sip_proxy


class Commands:
    """Records the commands the CLI runs; ``nginx -t`` fails when told to."""

    def __init__(self, nginx_ok: bool = True) -> None:
        self.nginx_ok = nginx_ok
        self.ran: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.ran.append(list(command))
        failed = command[:2] == ["nginx", "-t"] and not self.nginx_ok
        return subprocess.CompletedProcess(command, 1 if failed else 0, "", "emerg: bad")


def agency_file(tmp_path: Path, units: str) -> Path:
    path = tmp_path / "agency/1.yaml"
    path.parent.mkdir()
    path.write_text(f"database: {{name: uzor, user: uzor}}\nunits: {units}\n")
    return path


def test_it_renders_one_websocket_location_per_unit() -> None:
    units, refused = sip_proxy.checked_units(
        [
            {"name": "pbx2", "address": "pbx2.example"},
            {"name": "pbx1", "address": "127.0.0.1"},
            {"name": "v6", "address": "2001:db8::5"},
        ]
    )
    text = sip_proxy.render(units)
    assert refused == []
    assert text.index("location = /sip/pbx1 {") < text.index("location = /sip/pbx2 {")
    assert "proxy_pass http://127.0.0.1:8088/ws;" in text
    assert "proxy_pass http://pbx2.example:8088/ws;" in text
    assert "proxy_pass http://[2001:db8::5]:8088/ws;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_read_timeout 12h;" in text


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("pbx1; include /etc/shadow", "127.0.0.1"),
        ("pbx 1", "127.0.0.1"),
        ("../x", "127.0.0.1"),
        ("pbx1", "127.0.0.1:8088/ws; }"),
        ("pbx1", "evil.example/x"),
        ("pbx1", "-bad.example"),
        ("pbx1", ""),
    ],
)
def test_it_leaves_out_a_unit_whose_name_or_address_is_not_plain(name: str, address: str) -> None:
    units, refused = sip_proxy.checked_units([{"name": name, "address": address}])
    assert units == [] and refused == [name or "?"]
    assert "location" not in sip_proxy.render(units)


def test_the_agency_files_units_win_and_conf_d_overrides_the_database(tmp_path: Path) -> None:
    config = agency_file(tmp_path, "[{name: a1, host: 10.0.0.1}]")
    (config.parent / "conf.d").mkdir()
    (config.parent / "conf.d/local.yaml").write_text("database: {host: db.example}\n")
    settings = sip_proxy.load_agency_settings(config)
    assert settings["database"] == {"name": "uzor", "user": "uzor", "host": "db.example"}
    assert sip_proxy.unit_rows(settings) == [{"name": "a1", "address": "10.0.0.1"}]


def test_it_reads_the_enabled_units_from_the_admins_table(mariadb_database, tmp_path: Path):
    db = mariadb_database
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE callcenter_pbxunit (name VARCHAR(80), address VARCHAR(253), enabled BOOL)"
        )
        cur.execute(
            "INSERT INTO callcenter_pbxunit VALUES ('pbx2', '10.0.0.2', 1),"
            " ('off', '10.0.0.3', 0), ('pbx1', '127.0.0.1', 1)"
        )
        conn.commit()
    password = tmp_path / "db_password"
    password.write_text(db.password + "\n")
    settings = {
        "database": {
            "name": db.name,
            "user": db.user,
            "host": db.host,
            "port": db.port,
            "password_file": str(password),
        }
    }
    assert sip_proxy.unit_rows(settings) == [
        {"name": "pbx1", "address": "127.0.0.1"},
        {"name": "pbx2", "address": "10.0.0.2"},
    ]


def test_it_writes_checks_and_reloads_only_when_the_units_changed(tmp_path: Path) -> None:
    config = agency_file(tmp_path, "[{name: pbx1, host: 127.0.0.1}]")
    out = tmp_path / "nginx/sip-units.conf"
    commands, stdout = Commands(), io.StringIO()
    args = ["--agency-config", str(config), "--out", str(out)]
    assert cli.main(args, run=commands, stdout=stdout) == 0
    assert "location = /sip/pbx1 {" in out.read_text()
    assert commands.ran == [
        ["nginx", "-t", "-q"],
        ["systemctl", "is-active", "--quiet", "nginx"],
        ["systemctl", "reload", "nginx"],
    ]
    assert "/sip/pbx1" in stdout.getvalue()
    commands.ran.clear()
    assert cli.main(args, run=commands, stdout=io.StringIO()) == 0
    assert commands.ran == []


def test_a_configuration_nginx_refuses_is_not_kept(tmp_path: Path) -> None:
    out = tmp_path / "sip-units.conf"
    out.write_text("# the previous locations\n")
    config = agency_file(tmp_path, "[{name: pbx1, host: 127.0.0.1}]")
    commands, stderr = Commands(nginx_ok=False), io.StringIO()
    status = cli.main(
        ["--agency-config", str(config), "--out", str(out)],
        run=commands,
        stdout=io.StringIO(),
        stderr=stderr,
    )
    assert status == 1
    assert out.read_text() == "# the previous locations\n"
    assert "previous ones are kept" in stderr.getvalue() and "emerg: bad" in stderr.getvalue()
    assert ["systemctl", "reload", "nginx"] not in commands.ran


def test_before_the_configurator_ran_there_is_nothing_to_do(tmp_path: Path) -> None:
    stdout = io.StringIO()
    status = cli.main(
        ["--agency-config", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "x.conf")],
        run=Commands(),
        stdout=stdout,
    )
    assert status == 0 and "run the configurator first" in stdout.getvalue()
    assert not (tmp_path / "x.conf").exists()


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "1.yaml"
    config.write_text(f"database: {{host: 127.0.0.1, port: 1, password_file: {tmp_path}/pw}}\n")
    (tmp_path / "pw").write_text("x")
    stderr = io.StringIO()
    assert cli.main(["--agency-config", str(config)], run=Commands(), stderr=stderr) == 1
    assert stderr.getvalue().startswith("uzor-sip-proxies: cannot read the PBX units:")
