"""Headless Chromium (Debian ``chromium``) through Python Playwright, with fake media devices
and a fresh profile per context; ``save_screenshots`` keeps every open page of a failed test."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from testkit.tools import require_tool

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def chromium_path() -> str:
    """Debian's chromium (fails the test, naming the package, when it is missing)."""
    return require_tool("chromium", "chromium", "/usr/bin/chromium")


@contextlib.contextmanager
def chromium_context(executable: str) -> Iterator[Any]:
    """A Playwright ``BrowserContext`` on a fresh Chromium profile, closed and deleted after."""
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="uzor-chromium-"))
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                ignore_https_errors=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def save_screenshots(context: Any, name: str, directory: Path = ARTIFACTS) -> None:
    """A screenshot of every page open in ``context`` into ``directory`` (for a failed test)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    for index, page in enumerate(context.pages):
        try:
            page.screenshot(path=str(directory / f"{stem}-{index}.png"))
        except Exception as exc:
            print(f"screenshot of page {index} failed: {exc}")


__all__ = ["CHROMIUM_ARGS", "chromium_context", "chromium_path", "save_screenshots"]
