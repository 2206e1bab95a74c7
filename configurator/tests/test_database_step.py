"""The database step against a real MariaDB: database, user, config files; a second run
changes nothing and keeps the data."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
import yaml

from appliance.agency.config import load_config
from configurator.core.step import StepError
from configurator.core.steps.database import DatabaseStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context
from testkit.mariadb import MariaDB

pytestmark = pytest.mark.integration


@pytest.fixture
def names(mariadb: MariaDB) -> Iterator[str]:
    name = f"cfg_{secrets.token_hex(4)}"
    yield name
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        for host in ("localhost", "%"):
            cur.execute("DROP USER IF EXISTS %s@%s", (name, host))


def local_answers(mariadb: MariaDB, name: str) -> dict[str, object]:
    return {
        "database.mode": "local",
        "database.socket": mariadb.socket,
        "database.admin_user": "root",
        "database.admin_password": mariadb.password,
        "database.name": name,
        "database.user": name,
    }


def existing_answers(mariadb: MariaDB, name: str) -> dict[str, object]:
    return {
        "database.mode": "existing",
        "database.host": mariadb.host,
        "database.port": mariadb.port,
        "database.admin_user": mariadb.user,
        "database.admin_password": mariadb.password,
        "database.name": name,
        "database.user": name,
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns, mode(p))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_it_creates_the_database_user_and_config_files(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    set_language("en")
    ctx = make_context(tmp_path)
    progress = Recorder()
    result = DatabaseStep().apply(ctx, local_answers(mariadb, names), progress)

    assert result.changed
    assert "Creating the database and the user." in progress.lines
    password = ctx.paths.db_password_file.read_text().strip()
    assert len(password) >= 32
    assert password not in progress.text
    for secret in ("db_password", "django_secret_key", "agency_api_token", "bundle_signing_key"):
        assert mode(ctx.paths.secrets_dir / secret) == 0o600
    assert b"BEGIN PRIVATE KEY" in ctx.paths.bundle_signing_key_file.read_bytes()
    assert mode(ctx.paths.etc_uzor) == 0o750
    assert mode(ctx.paths.admin_config) == 0o640

    admin = yaml.safe_load(ctx.paths.admin_config.read_text())
    assert admin["database"] == {
        "name": names,
        "user": names,
        "host": "localhost",
        "port": 3306,
        "socket": mariadb.socket,
        "password_file": str(ctx.paths.db_password_file),
    }
    assert admin["secret_key_file"] == str(ctx.paths.django_secret_key_file)
    assert admin["bundle_signing_key"] == str(ctx.paths.bundle_signing_key_file)
    assert admin["license"]["path"] == str(ctx.paths.license_file)
    agency = yaml.safe_load(ctx.paths.agency_config(1).read_text())
    assert agency["database"] == admin["database"]
    assert agency["api"]["token_file"] == str(ctx.paths.agency_token_file)
    assert agency["language"] == "en"
    # the agency's own loader (defaults + this file) accepts what the wizard wrote
    assert load_config(ctx.paths.agency_config(1)).language == "en"

    conn = pymysql.connect(
        unix_socket=mariadb.socket, user=names, password=password, database=names
    )
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE kept (id INT PRIMARY KEY)")
        cur.execute("INSERT INTO kept VALUES (42)")
        conn.commit()


def test_a_second_run_changes_nothing_and_keeps_the_data(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    set_language("en")
    ctx = make_context(tmp_path)
    DatabaseStep().apply(ctx, existing_answers(mariadb, names), Recorder())
    password = ctx.paths.db_password_file.read_text().strip()
    conn = pymysql.connect(
        host=mariadb.host, port=mariadb.port, user=names, password=password, database=names
    )
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE kept (id INT PRIMARY KEY)")
        cur.execute("INSERT INTO kept VALUES (42)")
        conn.commit()
    before = snapshot(tmp_path)

    progress = Recorder()
    result = DatabaseStep().apply(ctx, existing_answers(mariadb, names), progress)

    assert not result.changed
    assert "the database and the user are already in place" in progress.text
    assert snapshot(tmp_path) == before
    conn = pymysql.connect(
        host=mariadb.host, port=mariadb.port, user=names, password=password, database=names
    )
    with conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM kept")
        assert cur.fetchall() == ((42,),)


def test_a_lost_password_file_gets_a_new_password_that_works(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    ctx = make_context(tmp_path)
    DatabaseStep().apply(ctx, existing_answers(mariadb, names), Recorder())
    old = ctx.paths.db_password_file.read_text().strip()
    ctx.paths.db_password_file.unlink()

    progress = Recorder()
    DatabaseStep().apply(ctx, existing_answers(mariadb, names), progress)

    new = ctx.paths.db_password_file.read_text().strip()
    assert new != old
    assert f"password of user {names} set" in progress.text
    pymysql.connect(
        host=mariadb.host, port=mariadb.port, user=names, password=new, database=names
    ).close()


def test_it_names_the_server_when_the_admin_password_is_wrong(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    set_language("en")
    answers = {**existing_answers(mariadb, names), "database.admin_password": "wrong"}
    with pytest.raises(StepError) as error:
        DatabaseStep().apply(make_context(tmp_path), answers, Recorder())
    message = str(error.value)
    assert f"Cannot connect to the database server {mariadb.host}:{mariadb.port} as root" in message
    assert "Access denied" in message
    assert "wrong" not in message.replace("Access denied", "")
    assert list(tmp_path.iterdir()) == []  # nothing half-done


def test_rerun_defaults_come_from_the_existing_admin_config(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    ctx = make_context(tmp_path)
    DatabaseStep().apply(ctx, existing_answers(mariadb, names), Recorder())
    defaults = {q.key: q.default for q in DatabaseStep().questions(ctx)}
    assert defaults["database.mode"] == "existing"
    assert defaults["database.host"] == mariadb.host
    assert defaults["database.port"] == mariadb.port
    assert defaults["database.name"] == names


@pytest.fixture
def root_by_socket(mariadb: MariaDB) -> Iterator[None]:
    """root@localhost may also log in through unix_socket, as on a stock Debian server."""
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password "
            "USING PASSWORD(%s) OR unix_socket",
            (mariadb.password,),
        )
    try:
        yield
    finally:
        with mariadb.connect() as conn, conn.cursor() as cur:
            cur.execute("ALTER USER root@localhost IDENTIFIED BY %s", (mariadb.password,))


@pytest.mark.skipif(os.geteuid() != 0, reason="unix_socket login as root needs the OS user root")
def test_the_default_local_login_needs_no_password(
    tmp_path: Path, mariadb: MariaDB, names: str, root_by_socket: None
) -> None:
    answers = {**local_answers(mariadb, names), "database.admin_password": ""}
    assert DatabaseStep().apply(make_context(tmp_path), answers, Recorder()).changed
