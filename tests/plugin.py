"""The pytest plugin over the test kit (testkit/): fixture functions that call the kit, and the
hooks that keep a failed test's artifacts. Registered for every tier by the root conftest.py,
so unit tests next to the code use these fixtures too. See docs/testing.md."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from testkit import browser as kit_browser
from testkit import mariadb as kit_mariadb
from testkit import pbx as kit_pbx
from testkit import target as kit_target
from testkit.licensing import LicenseFiles, make_license_files
from testkit.tools import require_tool

ADMIN_DIR = Path(__file__).resolve().parents[1] / "appliance" / "admin"


# -- reports: a fixture that keeps artifacts asks how its test went ---------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"uzor_report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest, phases: tuple[str, ...]) -> bool:
    return any(
        getattr(getattr(request.node, f"uzor_report_{when}", None), "failed", False)
        for when in phases
    )


# -- MariaDB ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mariadb() -> Iterator[kit_mariadb.MariaDB]:
    """A running MariaDB server for the whole session, removed afterwards."""
    proc, server = kit_mariadb.start_mariadb()
    try:
        yield server
    finally:
        kit_mariadb.stop_mariadb(proc, server)


@pytest.fixture(scope="module")
def mariadb_database(mariadb: kit_mariadb.MariaDB) -> Iterator[kit_mariadb.Database]:
    """A fresh database (and its own user) for one test module, dropped afterwards."""
    db = mariadb.create_database()
    try:
        yield db
    finally:
        mariadb.drop_database(db)


# -- Chromium -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return kit_browser.chromium_path()


@pytest.fixture
def browser(request: pytest.FixtureRequest, chromium_path: str) -> Iterator[Any]:
    """A Playwright ``BrowserContext`` on a fresh Chromium profile; pages are screenshotted into
    ``test-artifacts/screenshots/`` if the test fails."""
    with kit_browser.chromium_context(chromium_path) as context:
        try:
            yield context
        finally:
            if _failed(request, ("setup", "call")):
                kit_browser.save_screenshots(context, request.node.nodeid)


# -- PBX ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pbx_rootfs() -> Path:
    """The cached Debian sid root filesystem with Asterisk 22 (built on first use)."""
    return kit_pbx.build_pbx_rootfs()


@pytest.fixture
def asterisk_unit(
    request: pytest.FixtureRequest, pbx_rootfs: Path
) -> Iterator[Callable[..., kit_pbx.AsteriskUnit]]:
    """Factory: ``asterisk_unit(files=None, *, name="unit", binds=None, start=True,
    timeout=60) -> AsteriskUnit``; every unit is stopped and removed after the test (its logs
    kept in test-artifacts/pbx/ when the test failed)."""
    pool = kit_pbx.UnitPool(pbx_rootfs)
    try:
        yield pool
    finally:
        failed = _failed(request, ("setup", "call", "teardown"))
        pool.close(keep_logs_as=request.node.nodeid if failed else None)


@pytest.fixture
def carrier_factory(
    asterisk_unit: kit_pbx.UnitPool,
) -> Iterator[Callable[..., kit_pbx.Carrier]]:
    """Factory: ``carrier_factory(name="carrier") -> Carrier`` (started, trunk not aimed yet)."""
    carriers: list[kit_pbx.Carrier] = []

    def make(name: str = "carrier") -> kit_pbx.Carrier:
        carriers.append(kit_pbx.new_carrier(asterisk_unit, name))
        return carriers[-1]

    try:
        yield make
    finally:
        for made in carriers:
            made.close()


@pytest.fixture
def carrier(carrier_factory: Callable[..., kit_pbx.Carrier]) -> kit_pbx.Carrier:
    """A started carrier; aim it with ``carrier.point_at(unit)``."""
    return carrier_factory()


# -- licensing ----------------------------------------------------------------------------------


@pytest.fixture
def license_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LicenseFiles:
    """A valid license for this machine; UZOR_LICENSE_PATH/UZOR_LICENSE_PUBKEYS point at it."""
    files = make_license_files(tmp_path / "uzor-license")
    for name, value in files.env().items():
        monkeypatch.setenv(name, value)
    return files


# -- a booted Debian 12 -------------------------------------------------------------------------


@pytest.fixture
def target() -> Iterator[kit_target.Target]:
    """A freshly booted Debian 12 system (function scope: every test gets its own)."""
    if os.geteuid() != 0:
        pytest.skip("booting a target system needs root")
    require_tool("mmdebstrap", "mmdebstrap")
    require_tool("systemd-nspawn", "systemd-container")
    require_tool("nsenter", "util-linux")
    with kit_target.booted_target("uzor-e2e") as booted:
        yield booted


# -- the admin (Django on the real MariaDB) -----------------------------------------------------


def _in_admin(path: Path) -> bool:
    return path == ADMIN_DIR or ADMIN_DIR in path.parents


def pytest_collectstart(collector: pytest.Collector) -> None:
    """The admin's models must be importable when its tests are collected: set Django up (with
    a temporary admin.yaml) before pytest collects anything in appliance/admin."""
    if _in_admin(collector.path):
        from testkit.admin import configure_django

        configure_django()


@pytest.fixture(scope="session")
def admin_database(mariadb: kit_mariadb.MariaDB) -> Iterator[kit_mariadb.Database]:
    """A migrated database on the real MariaDB server, used by Django for the session."""
    from testkit.admin import drop_migrated_database, migrated_database

    db = migrated_database(mariadb)
    try:
        yield db
    finally:
        drop_migrated_database(mariadb, db)


@pytest.fixture
def admin_db(admin_database: kit_mariadb.Database, tmp_path: Path) -> Iterator[None]:
    """Run the test inside a transaction rolled back afterwards, with its own media root."""
    from testkit.admin import rolled_back

    with rolled_back(tmp_path / "media"):
        yield


@pytest.fixture(autouse=True)
def _english_after_admin_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A request with Accept-Language: ru leaves Russian active in the thread; reset it after
    every test of the admin (appliance/admin)."""
    yield
    if _in_admin(request.node.path):
        from django.utils import translation

        translation.deactivate()


@pytest.fixture
def committed_admin_db(admin_database: kit_mariadb.Database) -> Iterator[None]:
    """The admin database with autocommit (visible to the WSGI threads), emptied afterwards."""
    from testkit.dialplan import flush_admin_database

    flush_admin_database()
    try:
        yield
    finally:
        flush_admin_database()


@pytest.fixture
def admin_server(committed_admin_db: None) -> Iterator[Any]:
    """The admin served over HTTPS on 127.0.0.1 (for units' ``#exec uzor-confgen``)."""
    from testkit.dialplan import AdminServer

    server = AdminServer()
    try:
        yield server
    finally:
        server.stop()
