"""The configurator's database, migrations and superuser steps with the real ``uzor-admin``
on a real MariaDB: the tables appear migration by migration, the superuser can log in, and a
second run applies nothing and keeps everything."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from configurator.core.context import Context
from configurator.core.steps.database import DatabaseStep
from configurator.core.steps.migrate import MigrateStep
from configurator.core.steps.superuser import SuperuserStep, superuser_exists
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context
from testkit.mariadb import MariaDB

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def name(mariadb: MariaDB) -> Iterator[str]:
    name = f"cfgadm_{secrets.token_hex(4)}"
    yield name
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute("DROP USER IF EXISTS %s@'localhost'", (name,))


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    uzor_admin = shutil.which("uzor-admin") or str(Path(".venv/bin/uzor-admin").resolve())
    set_language("en")
    return make_context(tmp_path, admin_command=[uzor_admin])


def run_all(ctx: Context, mariadb: MariaDB, name: str) -> tuple[Recorder, Recorder, Recorder]:
    answers = {
        "database.mode": "local",
        "database.socket": mariadb.socket,
        "database.admin_user": "root",
        "database.admin_password": mariadb.password,
        "database.name": name,
        "database.user": name,
        "superuser.create": True,
        "superuser.username": "root",
        "superuser.email": "root@example.com",
        "superuser.password": PASSWORD,
        "superuser.password_again": PASSWORD,
    }
    logs = Recorder(), Recorder(), Recorder()
    for step, log in zip((DatabaseStep(), MigrateStep(), SuperuserStep()), logs, strict=True):
        step.apply(ctx, answers, log)
    return logs


def test_the_real_admin_is_migrated_and_gets_its_superuser_once(
    ctx: Context, mariadb: MariaDB, name: str
) -> None:
    assert not superuser_exists(ctx)  # no database yet: the question defaults to "yes"
    _, migrate, superuser = run_all(ctx, mariadb, name)
    assert "  Applying contenttypes.0001_initial... OK" in migrate.lines
    assert any(line.startswith("  Applying callcenter.0001_initial") for line in migrate.lines)
    assert superuser.lines[-1] == "Superuser created successfully."

    check = subprocess.run(
        [
            *ctx.admin_command,
            "shell",
            "--no-imports",
            "-c",
            "from django.contrib.auth import get_user_model;"  # authenticate() needs a request
            "root = get_user_model().objects.get(username='root');"  # since django-axes
            f"print(root.check_password({PASSWORD!r}) and root.is_superuser)",
        ],
        env={**ctx.admin_env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip() == "True", check.stderr[-2000:]

    rerun = make_context(ctx.paths.root, admin_command=ctx.admin_command)
    assert superuser_exists(rerun)  # a re-run: the question defaults to "no"
    assert SuperuserStep().questions(rerun)[0].default is False
    database, migrate, superuser = run_all(ctx, mariadb, name)
    assert "  No migrations to apply." in migrate.lines
    assert superuser.lines == ["A user named root already exists; it was left unchanged."]
    assert "the database and the user are already in place" in database.text
