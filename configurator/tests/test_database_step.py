"""The database step against a real MariaDB: database, user, config files; a second run
changes nothing and keeps the data."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from appliance.agency import database
from appliance.agency.config import load_config
from appliance.contracts import supervisor_token
from appliance.contracts.tables import TABLES
from configurator.core.dbsetup import agency_grants, parse_grants
from configurator.core.step import DAEMON_RELOAD, StepError
from configurator.core.steps.agency_access import AgencyAccessStep
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
            for user in (name, f"{name}_agency"):
                cur.execute("DROP USER IF EXISTS %s@%s", (user, host))


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
    secret_files = (
        "db_password",
        "django_secret_key",
        "bundle_signing_key",
        "supervisor_signing_key",
    )
    for secret in secret_files:
        assert mode(ctx.paths.secrets_dir / secret) == 0o600
    assert sorted(p.name for p in ctx.paths.secrets_dir.iterdir()) == sorted(secret_files)
    # the agency gets the public half of the wallboard's key, never the private one
    private = serialization.load_pem_private_key(
        ctx.paths.supervisor_signing_key_file.read_bytes(), password=None
    )
    public = ctx.paths.agency_supervisor_key_file.read_text()
    assert public == supervisor_token.public_key_text(private) + "\n"  # type: ignore[arg-type]
    assert mode(ctx.paths.agency_supervisor_key_file) == 0o640
    assert b"BEGIN PRIVATE KEY" in ctx.paths.bundle_signing_key_file.read_bytes()
    for secret in (ctx.paths.agency_db_password_file, ctx.paths.agency_token_file):
        assert mode(secret) == 0o600
    assert mode(ctx.paths.agency_secrets_dir) == 0o700
    assert mode(ctx.paths.agency_dir) == 0o750
    assert mode(ctx.paths.etc_uzor) == 0o751
    assert mode(ctx.paths.admin_config) == 0o640
    assert mode(ctx.paths.agency_config(1)) == 0o640
    agency_password = ctx.paths.agency_db_password_file.read_text().strip()
    assert len(agency_password) >= 32 and agency_password != password

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
    assert admin["supervisor_signing_key"] == str(ctx.paths.supervisor_signing_key_file)
    assert admin["license"]["path"] == str(ctx.paths.license_file)
    agency = yaml.safe_load(ctx.paths.agency_config(1).read_text())
    assert agency["database"] == {
        **admin["database"],
        "user": f"{names}_agency",
        "password_file": str(ctx.paths.agency_db_password_file),
    }
    assert agency["api"]["token_file"] == str(ctx.paths.agency_token_file)
    assert agency["wallboard"]["public_key_file"] == str(ctx.paths.agency_supervisor_key_file)
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


def refusal(cur: Any, sql: str) -> int:
    """The error number MariaDB answers ``sql`` with (0: it was allowed)."""
    try:
        cur.execute(sql)
    except pymysql.err.MySQLError as exc:
        return int(exc.args[0])
    return 0


ACCESS_DENIED = {1142, 1143, 1044}  # table, column, database access denied


def admin_tables(mariadb: MariaDB, name: str) -> None:
    """Stand-ins for the admin's migrated tables: every contract table and two others."""
    with mariadb.connect(name) as conn, conn.cursor() as cur:
        for table in [t.table for t in TABLES] + ["auth_user", "callcenter_revision"]:
            cur.execute(f"CREATE TABLE `{table}` (id INT PRIMARY KEY, secret VARCHAR(20))")
            cur.execute(f"INSERT INTO `{table}` VALUES (1, 'x')")


def test_the_agencys_user_gets_exactly_the_contract_grants_and_a_rerun_repairs_them(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    set_language("en")
    ctx = make_context(tmp_path)
    answers = existing_answers(mariadb, names)
    DatabaseStep().apply(ctx, answers, Recorder())
    admin_tables(mariadb, names)
    progress = Recorder()
    assert AgencyAccessStep().apply(ctx, answers, progress).changed
    assert f"privileges of user {names}_agency set" in progress.text
    again = Recorder()
    assert not AgencyAccessStep().apply(ctx, answers, again).changed
    assert "the agency's privileges are already in place" in again.text

    agency = pymysql.connect(
        host=mariadb.host,
        port=mariadb.port,
        user=f"{names}_agency",
        password=ctx.paths.agency_db_password_file.read_text().strip(),
        database=names,
        autocommit=True,
    )
    with agency, agency.cursor() as cur:
        for table in TABLES:
            assert refusal(cur, f"SELECT * FROM {table.table}") == 0
        for statement in database.SCHEMA:
            assert refusal(cur, statement) == 0
        assert refusal(cur, "INSERT INTO agency_session VALUES ('101', '{}', NOW())") == 0
        assert refusal(cur, "SELECT GET_LOCK('uzor-agency-sessions', 1)") == 0
        assert refusal(cur, "SELECT * FROM auth_user") in ACCESS_DENIED
        assert refusal(cur, "SELECT * FROM callcenter_revision") in ACCESS_DENIED
        assert refusal(cur, "UPDATE callcenter_operator SET secret = 'y'") in ACCESS_DENIED
        assert refusal(cur, "DELETE FROM callcenter_pbxunit") in ACCESS_DENIED
        assert refusal(cur, "CREATE TABLE other (id INT)") in ACCESS_DENIED

    # a grant too many (by hand, or an account that was the admin's) is taken away again
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"GRANT ALL PRIVILEGES ON `{names}`.* TO %s@'%%'", (f"{names}_agency",))
    repaired = Recorder()
    assert AgencyAccessStep().apply(ctx, answers, repaired).changed
    assert f"privileges of user {names}_agency set" in repaired.text
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW GRANTS FOR %s@'%%'", (f"{names}_agency",))
        lines = [row[0] for row in cur.fetchall()]
    assert parse_grants(lines) == {
        (g.privileges.lower(), f"{names}.{g.table}") for g in agency_grants(names)
    }


def test_the_agency_step_names_a_missing_password_file(tmp_path: Path, mariadb: MariaDB) -> None:
    set_language("en")
    ctx = make_context(tmp_path)
    with pytest.raises(StepError) as error:
        AgencyAccessStep().apply(ctx, existing_answers(mariadb, "nothing"), Recorder())
    assert str(ctx.paths.agency_db_password_file) in str(error.value)


def test_an_api_token_kept_by_an_older_version_moves_to_the_agencys_secrets(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    ctx = make_context(tmp_path)
    ctx.paths.secrets_dir.mkdir(parents=True)
    ctx.paths.legacy_agency_token_file.write_text("kept-token\n")
    DatabaseStep().apply(ctx, existing_answers(mariadb, names), Recorder())
    assert ctx.paths.agency_token_file.read_text() == "kept-token\n"
    assert not ctx.paths.legacy_agency_token_file.exists()


def test_the_drop_in_that_kept_an_upgraded_agency_running_as_uzor_is_removed(
    tmp_path: Path, mariadb: MariaDB, names: str
) -> None:
    ctx = make_context(tmp_path)
    dropin = ctx.paths.agency_legacy_user_dropin
    dropin.parent.mkdir(parents=True)
    dropin.write_text("[Service]\nUser=uzor\nGroup=uzor\n")
    assert DatabaseStep().apply(ctx, existing_answers(mariadb, names), Recorder()).changed
    assert not dropin.exists()
    assert ctx.state[DAEMON_RELOAD] is True
    assert "/etc/uzor/secrets/" not in ctx.paths.agency_config(1).read_text().replace(
        str(tmp_path), ""
    )
