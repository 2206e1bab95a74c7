"""The admin under test: Django set up against a real MariaDB database.

``configure_django()`` runs when the tests are collected (models must be importable then) with
a temporary admin.yaml whose database is filled in later; ``migrated_database(mariadb)``
creates a real database on the server, points Django's connection at it and migrates (the
session fixture ``admin_database``); ``rolled_back(media_root)`` runs one test in a transaction
rolled back after it (``admin_db``). ``write_site_config`` writes admin.yaml as installed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher

_CONFIGURED: dict[str, Path] = {}


def configure_django(test_environment: bool = True) -> Path:
    """Load the admin's settings from a temporary admin.yaml; return its directory.

    ``test_environment`` instruments template rendering for ``response.context`` (tests);
    benchmarks leave it off to measure what production renders.
    """
    if "dir" in _CONFIGURED:
        return _CONFIGURED["dir"]
    import django
    from django.test.utils import setup_test_environment

    base = Path(tempfile.mkdtemp(prefix="uzor-admin-test-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    (base / "secret_key").write_text(secrets.token_urlsafe(40))
    (base / "db_password").write_text("filled-in-by-the-admin_database-fixture")
    for path in (base / "secret_key", base / "db_password"):
        path.chmod(0o600)
    config = base / "admin.yaml"
    config.write_text(
        f"secret_key_file: {base / 'secret_key'}\n"
        f"bundle_signing_key: {base / 'bundle_signing_key'}\n"  # made on first use
        f"supervisor_signing_key: {base / 'supervisor_signing_key'}\n"  # made on first use
        "debug: false\n"
        "allowed_hosts: ['*']\n"
        "database: {name: pending, user: pending, host: 127.0.0.1, port: 3306, "
        f"password_file: {base / 'db_password'}}}\n"
        "license: {required: false}\n"
        f"static_root: {base / 'static'}\n"
        f"media_root: {base / 'media'}\n"
        "public_url: https://uzor.test\n"
    )
    saved = {key: os.environ.get(key) for key in ("DJANGO_SETTINGS_MODULE", "UZOR_ADMIN_CONFIG")}
    os.environ["DJANGO_SETTINGS_MODULE"] = "appliance.admin.uzor_admin.settings"
    os.environ["UZOR_ADMIN_CONFIG"] = str(config)
    try:
        django.setup()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if test_environment:
        setup_test_environment()
        cheap_password_hashing()
    _CONFIGURED["dir"] = base
    return base


TEST_PASSWORD_ITERATIONS = 1000


class CheapPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 (``pbkdf2_sha256``) at the tests' cost."""

    iterations = TEST_PASSWORD_ITERATIONS


def cheap_password_hashing() -> None:
    """Hash the passwords the tests make with PBKDF2 at ``TEST_PASSWORD_ITERATIONS`` instead of
    1,000,000 (0.25-0.5 s of CPU each here; the suite hashes hundreds): Django's users (the
    hasher above first in ``PASSWORD_HASHERS``) and the operators
    (``appliance.contracts.passwords.hash_password``'s default, which ``Operator.set_password``
    uses). The format and every code path stay the same: the iteration count is written into
    each hash and the checks (Django's, the agency's) read it from there. The constants stay
    1,000,000 (the unknown agent's decoy hash too); benchmarks keep the real cost."""
    from django.conf import settings

    from appliance.contracts import passwords

    hasher = f"{__name__}.{CheapPBKDF2PasswordHasher.__name__}"
    if settings.PASSWORD_HASHERS[0] != hasher:
        settings.PASSWORD_HASHERS = [hasher, *settings.PASSWORD_HASHERS]
    defaults = passwords.hash_password.__kwdefaults__
    assert defaults is not None and "iterations" in defaults, "hash_password changed: see here"
    defaults["iterations"] = TEST_PASSWORD_ITERATIONS


def migrated_database(mariadb: Any) -> Any:
    """A new database on ``mariadb`` (a ``MariaDB``), Django's default connection pointed at
    it, migrated; give it back with ``drop_migrated_database``."""
    from django.core.management import call_command
    from django.db import connections

    db = mariadb.create_database()
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(
        NAME=db.name, USER=db.user, PASSWORD=db.password, HOST=db.host, PORT=str(db.port)
    )
    call_command("migrate", verbosity=0, interactive=False)
    return db


def drop_migrated_database(mariadb: Any, db: Any) -> None:
    from django.db import connections

    connections["default"].close()
    mariadb.drop_database(db)


@contextlib.contextmanager
def rolled_back(media_root: Path) -> Iterator[None]:
    """Run the block inside a transaction rolled back afterwards, with its own media root."""
    from django.db import transaction
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        yield
        transaction.set_rollback(True)


def write_site_config(
    base: Path,
    db: object,
    allowed_hosts: str = "['127.0.0.1', 'localhost']",
    secure_cookies: bool = True,
) -> Path:
    """admin.yaml and 0600 secret files under ``base``, as the configurator writes them;
    ``secure_cookies=False`` for a client that speaks plain HTTP and honours the Secure flag."""
    secrets_dir = base / "secrets"
    secrets_dir.mkdir(mode=0o750, exist_ok=True)
    for name, value in (
        ("django_secret_key", secrets.token_urlsafe(40)),
        ("db_password", db.password),  # type: ignore[attr-defined]
    ):
        (secrets_dir / name).write_text(value + "\n")
        (secrets_dir / name).chmod(0o600)
    config = base / "admin.yaml"
    config.write_text(
        f"secret_key_file: {secrets_dir / 'django_secret_key'}\n"
        f"bundle_signing_key: {secrets_dir / 'bundle_signing_key'}\n"  # made on first use
        f"supervisor_signing_key: {secrets_dir / 'supervisor_signing_key'}\n"  # made on first use
        "debug: false\n"
        f"allowed_hosts: {allowed_hosts}\n"
        f"secure_cookies: {'true' if secure_cookies else 'false'}\n"
        f"database: {{name: {db.name}, user: {db.user}, host: {db.host}, "  # type: ignore[attr-defined]
        f"port: {db.port}, password_file: {secrets_dir / 'db_password'}}}\n"  # type: ignore[attr-defined]
        "license: {required: false}\n"
        f"static_root: {base / 'static'}\n"
        f"media_root: {base / 'media'}\n"
    )
    return config
