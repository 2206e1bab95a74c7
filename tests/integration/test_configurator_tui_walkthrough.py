"""The Textual configurator from the greeting to the admin URLs on a real MariaDB with the real
``uzor-admin`` and a license from an ephemeral vendor key (Pilot), and the real program in a
real terminal (tmux) where the TUI is the default."""

from __future__ import annotations

import secrets
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from textual.widgets import Input, Log, RadioSet, TextArea

from configurator.core.context import Context
from configurator.core.wizard import Outcome
from configurator.i18n import set_language
from configurator.tests.helpers import make_context
from configurator.tui.app import ConfiguratorApp
from configurator.tui.fields import QuestionField
from configurator.tui.screens import StepScreen
from testkit.licensing import issue_test_license, write_vendor_keys
from testkit.mariadb import MariaDB
from testkit.tools import require_tool, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def name(mariadb: MariaDB) -> Iterator[str]:
    name = f"cfgtui_{secrets.token_hex(4)}"
    yield name
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute("DROP USER IF EXISTS %s@'%%'", (name,))


@pytest.fixture
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def ctx(tmp_path: Path, vendor_key: Ed25519PrivateKey) -> Context:
    set_language("en")
    ctx = make_context(
        tmp_path / "root", admin_command=[str(Path(sys.executable).parent / "uzor-admin")]
    )
    write_vendor_keys(ctx.paths.public_keys, vendor_key)
    return ctx


def fill(app: ConfiguratorApp, key: str, value: str) -> None:
    assert isinstance(app.screen, StepScreen)
    field = next(f for f in app.screen.query(QuestionField) if f.question.key == key)
    widget = field.query_one("#input")
    if isinstance(widget, TextArea):
        widget.load_text(value)
    else:
        assert isinstance(widget, Input)
        widget.value = value


async def next_screen(app: ConfiguratorApp, pilot: object) -> str:
    await pilot.press("ctrl+n")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, StepScreen)
    return app.screen.step.id


async def test_the_tui_configures_everything(
    ctx: Context, mariadb: MariaDB, name: str, vendor_key: Ed25519PrivateKey
) -> None:
    license_text = issue_test_license(vendor_key, customer="ACME", max_operators=5).armoured()
    app = ConfiguratorApp(ctx)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one(RadioSet).focus()
        await pilot.press("down", "enter")
        for key, value in {
            "database.host": mariadb.host,
            "database.port": str(mariadb.port),
            "database.admin_password": mariadb.password,
            "database.name": name,
            "database.user": name,
        }.items():
            fill(app, key, value)
        assert await next_screen(app, pilot) == "migrate"
        assert await next_screen(app, pilot) == "agency_access"
        migrate_log = app.transcript[-1]
        assert "Applying callcenter.0001_initial... OK" in migrate_log
        assert await next_screen(app, pilot) == "superuser"
        assert f"privileges of user {name}_agency set" in app.transcript[-1]
        fill(app, "superuser.email", "root@example.com")
        fill(app, "superuser.password", "tui superuser secret 1")
        fill(app, "superuser.password_again", "tui superuser secret 1")
        assert await next_screen(app, pilot) == "tls"
        assert app.transcript[-1].endswith("Superuser created successfully.")
        assert await next_screen(app, pilot) == "license"
        fill(app, "license.key", "not a license")
        assert await next_screen(app, pilot) == "license"
        assert "is damaged or is not an Uzor license" in str(
            app.screen.query_one("#q-license-key #error").render()
        )
        fill(app, "license.key", license_text)
        assert await next_screen(app, pilot) == "services"
        assert await next_screen(app, pilot) == "finish"
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = "\n".join(app.screen.query_one(Log).lines)
        assert "https://192.0.2.10/admin/" in log
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.return_value is Outcome.DONE
    assert ctx.paths.license_file.read_text() == license_text
    assert "tui superuser secret 1" not in "\n".join(app.transcript)


class Terminal:
    """The configurator in a tmux pane: keys in, screen text out."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.tmux = require_tool("tmux", "tmux")
        self.session = f"uzor-cfg-{secrets.token_hex(4)}"
        self.done = tmp_path / "exit-status"
        command = (
            f"TERM=xterm-256color {shlex.quote(sys.executable)} -m configurator "
            f"{shlex.join(args)}; echo $? > {shlex.quote(str(self.done))}; sleep 60"
        )
        subprocess.run(
            [self.tmux, "new-session", "-d", "-s", self.session, "-x", "100", "-y", "30", command],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [self.tmux, "capture-pane", "-p", "-t", self.session],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_for(self, text: str) -> None:
        wait_until(lambda: text in self.screen(), 60, repr(text), self.screen)

    def keys(self, *keys: str) -> None:
        subprocess.run([self.tmux, "send-keys", "-t", self.session, *keys], check=True)

    def exit_status(self) -> int:
        wait_until(self.done.exists, 30, "the configurator to exit", self.screen)
        return int(self.done.read_text())

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.session], check=False)


def test_the_tui_is_the_default_on_a_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "--lang", "ru", "--root", str(tmp_path / "root"))
    try:
        term.wait_for("Ctrl+N: далее")
        term.wait_for("1/9  Узор")
        assert "Осуществить автоматическую настройку (y/n)?" in term.screen()
        term.keys("n")
        assert term.exit_status() == 0
        assert "Автоматическая настройка не выполнялась; ничего не изменено." in term.screen()
        assert not (tmp_path / "root").exists()
    finally:
        term.close()


def test_plain_prompts_on_a_terminal_use_questionary(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "--plain", "--lang", "en", "--root", str(tmp_path / "root"))
    try:
        term.wait_for("Perform automatic configuration (y/n)?")
        term.keys("y")
        term.wait_for("» Local MariaDB/MySQL on this server")
        assert "? Database server" in term.screen()
        term.keys("C-c")
        assert term.exit_status() == 130
        assert "Cancelled." in term.screen()
    finally:
        term.close()
