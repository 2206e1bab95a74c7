"""Debian's Firefox ESR (puppeteer-core over WebDriver BiDi, no downloaded browser): login, an
inbound carrier call answered with F3 with audio both ways, hang-up with F4."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import IO

import pytest

from testkit.tools import require_tool
from testkit.webagent_site import APP, DID, PASSWORD, Site

pytestmark = pytest.mark.integration
# the carrier talks from the unit's answer (before the queue) until well after F3
TALK = "&".join(["hello-world"] * 8)
HERE = Path(__file__).resolve().parent


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            out.put(line.strip())
        out.put("<eof>")

    threading.Thread(target=pump, daemon=True).start()
    return out


def next_line(lines: queue.Queue[str], process: subprocess.Popen[str], timeout: float) -> str:
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        process.kill()
        raise AssertionError("the Firefox operator said nothing") from None
    if line == "<eof>":
        process.wait(10)
        raise AssertionError(f"the Firefox operator stopped ({process.returncode})")
    return line


def test_firefox_logs_in_answers_a_call_with_audio_both_ways_and_hangs_up(
    webagent_site: Site,
) -> None:
    site = webagent_site
    node = require_tool("node", "nodejs")
    firefox = require_tool("firefox-esr", "firefox-esr", "/usr/bin/firefox-esr")
    process = subprocess.Popen(
        [node, str(HERE / "firefox_operator.cjs"), str(APP), site.agent_url(), "101", PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "FIREFOX": firefox},
    )
    assert process.stdout is not None
    lines = lines_of(process.stdout)
    try:
        assert next_line(lines, process, 90) == "ready"
        assert "PJSIP/1001" in site.unit.cli("queue show sales")
        call = site.carrier.start_call(
            DID, caller_id='"Petrov" <79161234567>', hold=60, playback=TALK
        )
        talking = next_line(lines, process, 60).split()
        assert talking[0] == "talking", talking
        assert int(talking[1]) > 0 and int(talking[2]) > 0
        assert next_line(lines, process, 60) == "done wrapup"
        assert call.wait_ended(30).answered
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
