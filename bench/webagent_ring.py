"""Webagent call latency: Asterisk dials the workplace -> Ringing shown in the page, and F3 ->
the first audio packet, p50/p95 over N carrier calls in Chromium on the admin-configured unit
with the real agency (tests/integration/webagent/bench_ring.py). Targets (issue 10): ring p95
<= 200 ms, first audio p95 <= 500 ms.

Run as root from the checkout: ``.venv/bin/python bench/webagent_ring.py [calls]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    calls = sys.argv[1] if len(sys.argv) > 1 else "30"
    env = {**os.environ, "UZOR_BENCH_CALLS": calls}
    test = "tests/integration/webagent/bench_ring.py"
    sys.exit(
        subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                test,
                "-q",
                "-s",
                "-p",
                "no:logging",
                "-o",
                "timeout=3600",
            ],
            cwd=REPO,
            env=env,
        )
    )
