"""The migrations and superuser steps run real subprocesses: Django's own ``django-admin``
standing in for ``uzor-admin`` (the same ``migrate`` command) with a small settings module,
and the superuser helper under the same settings."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from configurator.core.context import Context
from configurator.core.step import StepError
from configurator.core.steps.migrate import MigrateStep
from configurator.core.steps.superuser import SuperuserStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context

SETTINGS = """
SECRET_KEY = "only-for-this-test"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
USE_TZ = True
AUTH_PASSWORD_VALIDATORS = [
    {{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}},
]
"""


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    settings = tmp_path / "pysettings"
    settings.mkdir()
    (settings / "cfgtest_settings.py").write_text(SETTINGS.format(db=str(tmp_path / "db.sqlite3")))
    django_admin = str(Path(sys.executable).parent / "django-admin")
    return make_context(
        tmp_path / "root",
        admin_command=[django_admin],
        command_env={"DJANGO_SETTINGS_MODULE": "cfgtest_settings", "PYTHONPATH": str(settings)},
    )


def superuser_answers(password: str = "a-long-enough-password") -> dict[str, object]:  # noqa: S107
    return {
        "superuser.create": True,
        "superuser.username": "root",
        "superuser.email": "root@example.com",
        "superuser.password": password,
        "superuser.password_again": password,
    }


def test_migrations_show_every_applied_migration_and_rerun_applies_nothing(ctx: Context) -> None:
    progress = Recorder()
    assert MigrateStep().apply(ctx, {}, progress).changed
    assert progress.lines[0] == "Creating tables..."
    assert "  Applying contenttypes.0001_initial... OK" in progress.lines
    assert "  Applying auth.0001_initial... OK" in progress.lines

    again = Recorder()
    assert not MigrateStep().apply(ctx, {}, again).changed
    assert "  No migrations to apply." in again.lines


def test_a_failing_migrate_command_stops_with_its_exit_status(ctx: Context) -> None:
    ctx.command_env["DJANGO_SETTINGS_MODULE"] = "no_such_settings_module"
    progress = Recorder()
    with pytest.raises(
        StepError, match=r"migrate --noinput --skip-checks failed with exit status 1\."
    ):
        MigrateStep().apply(ctx, {}, progress)
    assert "No module named 'no_such_settings_module'" in progress.text


def test_a_missing_admin_command_is_named(ctx: Context, tmp_path: Path) -> None:
    ctx.admin_command = [str(tmp_path / "no-uzor-admin")]
    with pytest.raises(
        StepError, match=r"Cannot run .*no-uzor-admin migrate --noinput --skip-checks"
    ):
        MigrateStep().apply(ctx, {}, Recorder())


def test_superuser_is_created_once_and_the_password_never_shown(
    ctx: Context, tmp_path: Path
) -> None:
    MigrateStep().apply(ctx, {}, Recorder())
    progress = Recorder()
    assert SuperuserStep().apply(ctx, superuser_answers(), progress).changed
    assert progress.lines == ["Superuser created successfully."]
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute(
            "SELECT username, email, is_superuser, password FROM auth_user"
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("root", "root@example.com", 1)]
    assert rows[0][3].startswith("pbkdf2_sha256$")

    again = Recorder()
    assert not SuperuserStep().apply(ctx, superuser_answers("another-password!"), again).changed
    assert again.lines == ["A user named root already exists; it was left unchanged."]
    assert "another-password" not in again.text + progress.text


def test_a_password_the_admin_rejects_is_explained(ctx: Context) -> None:
    MigrateStep().apply(ctx, {}, Recorder())
    with pytest.raises(StepError) as error:
        SuperuserStep().apply(ctx, superuser_answers("Zq9!x"), Recorder())
    assert str(error.value).startswith("The password was rejected:\n")
    assert "too short" in str(error.value)
    assert "Zq9!x" not in str(error.value)


def test_skipping_the_superuser_says_how_to_create_it_later(ctx: Context) -> None:
    progress = Recorder()
    assert not SuperuserStep().apply(ctx, {"superuser.create": False}, progress).changed
    assert progress.lines == [
        "The account can be created later with the command uzor-admin createsuperuser"
    ]


def test_password_objections_come_in_the_configurators_language(ctx: Context) -> None:
    MigrateStep().apply(ctx, {}, Recorder())
    set_language("ru")
    try:
        with pytest.raises(StepError) as error:
            SuperuserStep().apply(ctx, superuser_answers("Zq9!x"), Recorder())
    finally:
        set_language("en")
    assert str(error.value).startswith("Пароль отклонен:\n")
    assert "слишком короткий" in str(error.value)
