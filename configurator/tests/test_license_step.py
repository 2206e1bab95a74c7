"""The license step with an ephemeral vendor key: the server ID is shown, a key pasted or
given as a path is verified for this server and written; bad keys are refused with the
licensing package's message."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from configurator.core.context import Context
from configurator.core.questions import InvalidAnswerError, check
from configurator.core.step import StepError
from configurator.core.steps.license import LicenseStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context
from licensing.server_id import current_server_id, facts_from_raw
from testkit.licensing import issue_test_license, write_vendor_keys

OTHER_SERVER = facts_from_raw(
    "0123456789abcdef0123456789abcdef",
    "4c4c4544-0042-3510-8051-b4c04f4e3732",
    ["52:54:00:12:34:56"],
    "elsewhere.example",
)


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def ctx(tmp_path: Path, vendor_key: Ed25519PrivateKey) -> Context:
    ctx = make_context(tmp_path / "root")
    write_vendor_keys(ctx.paths.public_keys, vendor_key)
    return ctx


def license_text(key: Ed25519PrivateKey, **overrides: object) -> str:
    return issue_test_license(key, customer="ACME", **overrides).armoured()  # type: ignore[arg-type]


def test_the_intro_shows_this_servers_id_and_what_to_do(ctx: Context) -> None:
    intro = LicenseStep().intro(ctx)
    assert current_server_id() in intro.splitlines()
    assert "send this hardware binding code to your Uzor vendor" in intro


def test_a_pasted_key_is_verified_and_written(ctx: Context, vendor_key: Ed25519PrivateKey) -> None:
    text = license_text(vendor_key)
    progress = Recorder()
    result = LicenseStep().apply(ctx, {"license.key": text}, progress)
    assert result.changed
    assert ctx.paths.license_file.read_text() == text
    assert stat.S_IMODE(ctx.paths.license_file.stat().st_mode) == 0o644
    assert progress.lines == [f"License key written to {ctx.paths.license_file}."]

    again = Recorder()
    assert not LicenseStep().apply(ctx, {"license.key": text}, again).changed
    assert again.lines == ["This license key is already installed."]
    kept = Recorder()
    assert not LicenseStep().apply(ctx, {"license.key": ""}, kept).changed
    assert kept.lines == ["The installed license is kept."]
    assert "A valid license is installed" in LicenseStep().intro(ctx)


def test_a_key_given_as_a_path_inside_an_email_is_stored_alone(
    ctx: Context, vendor_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    text = license_text(vendor_key)
    key_file = tmp_path / "from-vendor.txt"
    key_file.write_text(f"Hello,\n\nyour license:\n\n{text}\nRegards,\nthe vendor\n")
    assert LicenseStep().apply(ctx, {"license.key": str(key_file)}, Recorder()).changed
    assert ctx.paths.license_file.read_text() == text


def refusal(ctx: Context, text: str) -> str:
    with pytest.raises(StepError) as error:
        LicenseStep().apply(ctx, {"license.key": text}, Recorder())
    assert not ctx.paths.license_file.exists()
    question = LicenseStep().questions(ctx)[0]
    with pytest.raises(InvalidAnswerError) as inline:
        check(question, text, {})
    assert str(inline.value) == str(error.value)
    return str(error.value)


def test_a_license_for_another_server_is_refused(
    ctx: Context, vendor_key: Ed25519PrivateKey
) -> None:
    message = refusal(ctx, license_text(vendor_key, server=OTHER_SERVER))
    assert "was issued for another server (elsewhere.example)" in message


def test_a_license_of_an_unknown_vendor_key_is_refused(ctx: Context) -> None:
    message = refusal(ctx, license_text(Ed25519PrivateKey.generate()))
    assert "which this installation does not know" in message


def test_an_expired_license_is_refused(ctx: Context, vendor_key: Ed25519PrivateKey) -> None:
    past = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    text = license_text(vendor_key, issued_at=past - dt.timedelta(days=30), not_after=past)
    assert "expired on" in refusal(ctx, text)


def test_an_edited_license_is_refused(ctx: Context, vendor_key: Ed25519PrivateKey) -> None:
    lines = license_text(vendor_key).splitlines()
    body = lines[4]
    lines[4] = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    message = refusal(ctx, "\n".join(lines))
    assert "is not valid" in message or "is damaged" in message


def test_garbage_and_a_missing_path_are_refused(ctx: Context, tmp_path: Path) -> None:
    assert "is damaged or is not an Uzor license" in refusal(ctx, "hello")
    missing = tmp_path / "nope.lic"
    assert refusal(ctx, str(missing)) == f"Cannot read {missing}: there is no such file"


def test_no_key_says_where_to_put_it_later(ctx: Context) -> None:
    progress = Recorder()
    assert not LicenseStep().apply(ctx, {"license.key": ""}, progress).changed
    assert f"Put the license key you receive into {ctx.paths.license_file}" in progress.text


def test_license_errors_come_in_the_configurators_language(ctx: Context) -> None:
    set_language("ru")
    try:
        message = refusal(ctx, "hello")
    finally:
        set_language("en")
    assert "Лицензия в тексте, вставленном в конфигуратор, повреждена" in message
    assert "is damaged" not in message


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_refused_licenses_reason_wraps_whole_in_the_tui(
    ctx: Context, vendor_key: Ed25519PrivateKey, size: tuple[int, int], language: str
) -> None:
    from textual.widgets import Label, TextArea

    from configurator.core.steps.finish import FinishStep
    from configurator.tui.app import ConfiguratorApp
    from configurator.tui.fields import QuestionField

    set_language(language)
    app = ConfiguratorApp(ctx, [LicenseStep(), FinishStep()])
    async with app.run_test(size=size) as pilot:
        field = app.screen.query_one(QuestionField)
        field.query_one(TextArea).load_text(license_text(vendor_key, server=OTHER_SERVER))
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        label = field.query_one("#error", Label)
        text = field.error_text
        assert len(text) > size[0] and label.region.right <= size[0], text
        lines = [line.text for line in label.render_lines(label.region.reset_offset)]
        assert len([line for line in lines if line.strip()]) >= 2
        assert "".join("".join(lines).split()) == "".join(text.split())  # nothing cut
    assert not ctx.paths.license_file.exists()
