"""Pilot tests of the Textual shell: keys, inline validation errors, back and next."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Log, RadioSet, Switch, TextArea

from configurator.core.steps.database import DatabaseStep
from configurator.core.steps.finish import FinishStep
from configurator.core.steps.greeting import GreetingStep
from configurator.core.steps.services import ServicesStep
from configurator.core.steps.superuser import SuperuserStep
from configurator.core.steps.tls import TlsStep
from configurator.core.wizard import Outcome
from configurator.i18n import set_language
from configurator.tests.helpers import make_context
from configurator.tui.app import ConfiguratorApp
from configurator.tui.fields import QuestionField
from configurator.tui.screens import StepScreen


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def field(app: ConfiguratorApp, key: str) -> QuestionField:
    screen = app.screen
    assert isinstance(screen, StepScreen)
    return next(f for f in screen.query(QuestionField) if f.question.key == key)


def step_id(app: ConfiguratorApp) -> str:
    assert isinstance(app.screen, StepScreen)
    return app.screen.step.id


async def test_greeting_n_ends_without_changes(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [GreetingStep(), DatabaseStep()])
    async with app.run_test() as pilot:
        assert "Certificate No. 2019661086" in str(app.screen.query_one("#intro").render())
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_value is Outcome.DECLINED
    assert list(tmp_path.iterdir()) == []
    assert "nothing was changed" in app.transcript[-1]


async def test_greeting_y_goes_on_and_escape_goes_back(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [GreetingStep(), DatabaseStep()])
    async with app.run_test() as pilot:
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step_id(app) == "database"
        await pilot.press("escape")
        await pilot.pause()
        assert step_id(app) == "greeting"
        assert app.screen.query_one(Switch).value is True


async def advance(app: ConfiguratorApp, pilot: object) -> None:
    await pilot.press("ctrl+n")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_database_choice_shows_its_fields_and_errors_show_inline(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [DatabaseStep(), FinishStep()])
    async with app.run_test() as pilot:
        assert field(app, "database.socket").display
        assert not field(app, "database.host").display
        field(app, "database.mode").query_one(RadioSet).focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert not field(app, "database.socket").display
        assert field(app, "database.host").display and field(app, "database.port").display

        port = field(app, "database.port").query_one(Input)
        port.value = ""
        port.focus()
        await pilot.press("x", "y")
        name = field(app, "database.name").query_one(Input)
        name.value = ""
        name.focus()
        await pilot.press("b", "a", "d", "-", "n", "a", "m", "e")
        await advance(app, pilot)

        assert step_id(app) == "database"
        assert field(app, "database.port").error_text == "Enter a whole number."
        assert field(app, "database.name").error_text == (
            "Use 1 to 32 Latin letters, digits or underscores."
        )
        assert field(app, "database.user").error_text == ""
        assert list(tmp_path.iterdir()) == []


async def test_superuser_passwords_must_match_and_no_skips_the_fields(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [SuperuserStep(), FinishStep()])
    async with app.run_test() as pilot:
        assert field(app, "superuser.username").query_one(Input).value == "root"
        field(app, "superuser.email").query_one(Input).focus()
        await pilot.press(*"root@example.com", "enter", *"secret-one", "enter", *"secret-two")
        await advance(app, pilot)
        assert step_id(app) == "superuser"
        assert field(app, "superuser.password_again").error_text == "The passwords do not match."
        assert field(app, "superuser.password").error_text == ""

        field(app, "superuser.create").query_one(Switch).focus()
        await pilot.press("space")
        await pilot.pause()
        assert not field(app, "superuser.password").display
        await advance(app, pilot)
        assert step_id(app) == "finish"
        assert app.answers["superuser.create"] is False
        assert "superuser.password" not in app.answers


async def test_tls_existing_certificate_errors_show_under_the_field(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path / "root"), [TlsStep(), FinishStep()])
    missing = tmp_path / "missing.crt"
    async with app.run_test() as pilot:
        assert not field(app, "tls.certificate").display
        field(app, "tls.mode").query_one(RadioSet).focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        field(app, "tls.certificate").query_one(Input).value = str(missing)
        field(app, "tls.key").query_one(Input).value = str(missing)
        await advance(app, pilot)
        assert field(app, "tls.certificate").error_text == (
            f"Cannot read {missing}: there is no such file"
        )
        assert step_id(app) == "tls"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_tls_key_error_never_names_the_current_directory(
    tmp_path: Path, size: tuple[int, int], language: str
) -> None:
    set_language(language)
    app = ConfiguratorApp(make_context(tmp_path / "root"), [TlsStep(), FinishStep()])
    missing = tmp_path / "missing.key"
    async with app.run_test(size=size) as pilot:
        field(app, "tls.mode").query_one(RadioSet).focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        field(app, "tls.key").query_one(Input).value = str(missing)  # no certificate given
        await advance(app, pilot)
        error = field(app, "tls.key").error_text
        assert str(missing) in error and "Is a directory" not in error and " .:" not in error
        assert ("there is no such file" if language == "en" else "такого файла нет") in error
        assert step_id(app) == "tls"


async def test_services_and_finish_screens_report_and_finish_exits(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [ServicesStep(), FinishStep()])
    async with app.run_test() as pilot:
        await advance(app, pilot)
        assert step_id(app) == "finish"
        assert app.screen.query_one("#next", Button).label.plain == "Finish"
        await pilot.press("escape")
        await pilot.pause()
        assert step_id(app) == "services"
        log = "\n".join(app.screen.query_one(Log).lines)
        assert "systemd does not run this system" in log
        await advance(app, pilot)
        await advance(app, pilot)
        log = "\n".join(app.screen.query_one(Log).lines)
        assert "https://192.0.2.10/admin/" in log and "https://[2001:db8::10]/admin/" in log
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.return_value is Outcome.DONE


async def test_license_screen_shows_the_server_id_and_refuses_a_bad_key(tmp_path: Path) -> None:
    from configurator.core.steps.license import LicenseStep
    from licensing.server_id import current_server_id

    ctx = make_context(tmp_path)
    app = ConfiguratorApp(ctx, [LicenseStep(), FinishStep()])
    async with app.run_test(size=(120, 50)) as pilot:
        assert app.screen.query_one("#copy", Input).value == current_server_id()
        area = field(app, "license.key").query_one(TextArea)
        area.focus()
        await pilot.press(*"garbage")
        await advance(app, pilot)
        assert step_id(app) == "license"
        assert "is damaged or is not an Uzor license" in field(app, "license.key").error_text
        area.load_text("")
        await advance(app, pilot)
        assert step_id(app) == "finish"
        assert "Put the license key you receive into" in app.transcript[-1]
        assert not ctx.paths.license_file.exists()


async def test_enter_walks_the_fields_then_presses_next(tmp_path: Path) -> None:
    app = ConfiguratorApp(make_context(tmp_path), [SuperuserStep(), FinishStep()])
    async with app.run_test() as pilot:
        field(app, "superuser.password").query_one(Input).focus()
        await pilot.press(*"pw-1234567", "enter")
        assert app.focused is field(app, "superuser.password_again").query_one(Input)
        await pilot.press(*"pw-7654321", "enter")
        assert app.focused is app.screen.query_one("#next", Button)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert field(app, "superuser.password_again").error_text == "The passwords do not match."


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_rerun_offers_no_new_superuser_and_the_switch_answers_y_and_n(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    helper = tmp_path / "superuser-helper"
    helper.write_text("#!/bin/sh\ncat >/dev/null\nexit 10\n")  # "a superuser exists"
    helper.chmod(0o755)
    ctx = make_context(tmp_path / "root", superuser_command=[str(helper)])
    app = ConfiguratorApp(ctx, [SuperuserStep(), FinishStep()])
    async with app.run_test(size=size) as pilot:
        switch = field(app, "superuser.create").query_one(Switch)
        assert switch.value is False
        assert not field(app, "superuser.username").display
        switch.focus()
        await pilot.press("y")
        await pilot.pause()
        assert switch.value is True and field(app, "superuser.username").display
        await pilot.press("n")
        await pilot.pause()
        assert switch.value is False and step_id(app) == "superuser"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_long_error_wraps_to_the_terminal_width(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = ConfiguratorApp(make_context(tmp_path / "root"), [TlsStep(), FinishStep()])
    missing = tmp_path / ("a-certificate-file-with-a-long-name-" * 4) / "missing.crt"
    async with app.run_test(size=size) as pilot:
        field(app, "tls.mode").query_one(RadioSet).focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        field(app, "tls.certificate").query_one(Input).value = str(missing)
        await advance(app, pilot)
        label = field(app, "tls.certificate").query_one("#error")
        text = field(app, "tls.certificate").error_text
        assert len(text) > size[0]
        assert label.region.right <= size[0]
        assert label.size.height >= 2  # wrapped, not cut
        rendered = "".join(line.text for line in label.render_lines(label.region.reset_offset))
        assert "".join(rendered.split()) == "".join(text.split())  # every character shown


# A stand-in for `uzor-admin migrate` that prints like Python does into a pipe (no flush of its
# own) and then waits until the test has seen its first line in the log.
SLOW_MIGRATE = """\
import pathlib, sys, time
print("  Applying callcenter.0001_initial... OK")
go = pathlib.Path(sys.argv[1])
for _ in range(600):
    if go.exists():
        break
    time.sleep(0.05)
else:
    sys.exit(3)  # the log never showed the first line: the output was not streamed
print("  Applying callcenter.0002_topics... OK")
"""


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_log_shows_each_line_while_the_step_still_runs(
    tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from configurator.core.steps.migrate import MigrateStep

    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # as on an installed appliance

    script = tmp_path / "slow-migrate.py"
    script.write_text(SLOW_MIGRATE)
    go = tmp_path / "go"
    command = [sys.executable, str(script), str(go)]
    ctx = make_context(tmp_path / "root", admin_command=command)
    app = ConfiguratorApp(ctx, [MigrateStep(), FinishStep()])
    async with app.run_test(size=size) as pilot:
        await pilot.press("ctrl+n")
        log = app.screen.query_one(Log)
        for _ in range(400):
            if any("0001_initial" in line for line in log.lines):
                break
            await pilot.pause(0.05)
        seen = "\n".join(log.lines)
        assert "0001_initial" in seen, seen
        assert "0002_topics" not in seen and step_id(app) == "migrate"  # still running
        go.touch()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert step_id(app) == "finish"
        assert "0002_topics" in app.transcript[-1]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_long_log_lines_wrap_at_words_within_the_log(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    from configurator.core.steps.migrate import MigrateStep

    long_line = "  uzor-agency@1: did not start: " + " ".join(
        f"the-license-was-refused-reason-{n}" for n in range(12)
    )
    script = tmp_path / "long-output.py"
    script.write_text(f"print({long_line!r})\n")
    ctx = make_context(tmp_path / "root", admin_command=[sys.executable, str(script)])
    app = ConfiguratorApp(ctx, [MigrateStep(), FinishStep()])
    async with app.run_test(size=size) as pilot:
        await advance(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        log = app.screen.query_one(Log)
        shown = [line for line in log.lines if "reason" in line or "did not start" in line]
        assert len(shown) >= 2
        assert all(len(line) <= log.scrollable_content_region.width for line in shown), shown
        assert " ".join(" ".join(shown).split()) == " ".join(long_line.split())  # no word cut
        assert long_line in app.transcript[-1]  # the transcript keeps the line whole


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_server_id_is_one_line_to_copy_whole(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    from configurator.core.steps.license import LicenseStep
    from licensing.server_id import current_server_id

    server_id = current_server_id()
    app = ConfiguratorApp(make_context(tmp_path), [LicenseStep(), FinishStep()])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        copy = app.screen.query_one("#copy", Input)
        assert len(server_id) > size[0]  # it would wrap as text
        assert copy.value == server_id and copy.size.height == 1
        assert copy.region.right <= size[0]
        assert 0 <= copy.region.y < size[1]  # in view, above the focused key field
        for part in ("#intro", "#intro-after"):  # not also wrapped into the text around it
            assert server_id[:20] not in str(app.screen.query_one(part).render())
        copy.focus()
        await pilot.press("x", "backspace", "ctrl+c")
        await pilot.pause()
        assert copy.value == server_id  # it cannot be edited
        assert app.clipboard == server_id
        assert "\n" not in app.clipboard
