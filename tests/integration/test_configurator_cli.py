"""``uzor-configure`` as a program: plain prompts fed through a pipe and an answers file,
against a real MariaDB, the real ``uzor-admin`` and a license from an ephemeral vendor key."""

from __future__ import annotations

import secrets
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from testkit.licensing import issue_test_license, write_vendor_keys
from testkit.mariadb import MariaDB

pytestmark = pytest.mark.integration

SUPERUSER_PASSWORD = "piped-in superuser secret 42"


@pytest.fixture
def name(mariadb: MariaDB) -> Iterator[str]:
    name = f"cfgcli_{secrets.token_hex(4)}"
    yield name
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        for host in ("localhost", "%"):
            cur.execute("DROP USER IF EXISTS %s@%s", (name, host))


@pytest.fixture
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def root(tmp_path: Path, vendor_key: Ed25519PrivateKey) -> Path:
    """A prefix with a vendor public key installed, as uzor-common would put it."""
    root = tmp_path / "root"
    write_vendor_keys(root / "usr/share/uzor/keys", vendor_key)
    return root


def license_for_this_server(vendor_key: Ed25519PrivateKey) -> str:
    return issue_test_license(vendor_key, customer="ACME", max_operators=5).armoured()


def configure(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    uzor_admin = str(Path(sys.executable).parent / "uzor-admin")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "configurator",
            "--root",
            str(root),
            "--admin-command",
            uzor_admin,
            *args,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_plain_prompts_work_through_a_pipe_in_russian(
    root: Path, tmp_path: Path, mariadb: MariaDB, name: str, vendor_key: Ed25519PrivateKey
) -> None:
    pw = SUPERUSER_PASSWORD
    lines = [
        "y",  # Осуществить автоматическую настройку (y/n)?
        "local",
        mariadb.socket,
        "root",
        mariadb.password,
        name,
        name,
        "y",
        "",
        "root@example.com",
        pw,
        "a typo",
        pw,
        pw,  # mismatch, then asked again
        "",  # self-signed certificate
        license_for_this_server(vendor_key).rstrip("\n"),
    ]
    result = configure(root, "--plain", "--lang", "ru", stdin="\n".join(lines) + "\n")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for expected in (
        "Узор",
        "Свидетельство № 2019661086 от 19 августа 2019 года",
        "Осуществить автоматическую настройку (y/n)?",
        "Создание базы данных и пользователя.",
        "Подготовка конфигурационных файлов...",
        "Создание таблиц...",
        "Applying callcenter.0001_initial... OK",
        "Создать учетную запись суперпользователя для Админ (y/n)?",
        "! Пароли не совпадают.",
        "Суперпользователь успешно создан.",
        "Лицензионный ключ записан в",
        "Перезагрузка сервисов...",
        "URL для доступа к интерфейсу:",
    ):
        assert expected in out
    assert pw not in out and mariadb.password not in out
    assert (root / "etc/uzor/license.key").is_file()
    assert (root / "etc/nginx/snippets/uzor-tls.conf").is_file()


def answers_file(
    tmp_path: Path, mariadb: MariaDB, name: str, vendor_key: Ed25519PrivateKey
) -> Path:
    (tmp_path / "db-admin.pw").write_text(mariadb.password + "\n")
    (tmp_path / "su.pw").write_text(SUPERUSER_PASSWORD + "\n")
    (tmp_path / "license.txt").write_text(license_for_this_server(vendor_key))
    path = tmp_path / "answers.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        language: en
        database:
          mode: existing
          host: {mariadb.host}
          port: {mariadb.port}
          admin_user: root
          admin_password_file: {tmp_path / "db-admin.pw"}
          name: {name}
          user: {name}
        superuser:
          username: root
          email: root@example.com
          password_file: {tmp_path / "su.pw"}
        tls:
          mode: self-signed
        license:
          key_file: {tmp_path / "license.txt"}
        """)
    )
    return path


def test_an_answers_file_configures_everything_and_a_rerun_changes_nothing(
    root: Path, tmp_path: Path, mariadb: MariaDB, name: str, vendor_key: Ed25519PrivateKey
) -> None:
    answers = answers_file(tmp_path, mariadb, name, vendor_key)
    first = configure(root, "--answers", str(answers))
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Superuser created successfully." in first.stdout
    assert "systemd does not run this system" in first.stdout
    files = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    times = {p: p.stat().st_mtime_ns for p in files}

    second = configure(root, "--answers", str(answers))
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    for expected in (
        "the database and the user are already in place",
        "No migrations to apply.",
        "A user named root already exists; it was left unchanged.",
        "The self-signed certificate is up to date.",
        "This license key is already installed.",
    ):
        assert expected in second.stdout
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == files
    assert {p: p.stat().st_mtime_ns for p in files} == times
    assert SUPERUSER_PASSWORD not in first.stdout + second.stdout


def test_a_bad_answers_file_is_refused_before_anything_changes(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("database:\n  admin_pasword: x\n")
    result = configure(tmp_path / "root", "--answers", str(path), "--lang", "en")
    assert result.returncode == 2
    assert f"{path}: database.admin_pasword: unknown key" in result.stderr
    assert not (tmp_path / "root").exists()


def test_answering_n_ends_without_changes(tmp_path: Path) -> None:
    result = configure(tmp_path / "root", "--plain", "--lang", "en", stdin="n\n")
    assert result.returncode == 0
    assert "Automatic configuration was not performed; nothing was changed." in result.stdout
    assert not (tmp_path / "root").exists()


def test_input_that_ends_early_stops_with_a_clear_message(tmp_path: Path) -> None:
    result = configure(tmp_path / "root", "--plain", "--lang", "en", stdin="y\nlocal\n")
    assert result.returncode == 130
    assert "The input ended before every question was answered." in result.stderr
