"""The fan-out benchmark on the real agency (bench/fanout), CI-sized, so it cannot rot: every
frame the played AMI stream causes reaches its terminal, logins and state writes go on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STREAMS = ("ami-callcenter.bin.gz", "ami-variety.bin.gz")


@pytest.mark.parametrize("stream", STREAMS)
def test_the_fanout_bench_delivers_every_frame_of_the_played_stream(
    tmp_path: Path, stream: str
) -> None:
    out = tmp_path / "result.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.fanout.run",
            "--terminals=50",
            "--seconds=4",
            "--probes=3",
            "--on-break=10",
            "--break-period=1",
            f"--stream={REPO / 'bench' / 'data' / stream}",
            f"--json={out}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["failures"] == []
    assert result["events"] == 2000  # 4 s at 500 events/s
    assert set(result["expected"]) == {"call_incoming", "call_answered", "call_ended"}
    for frame, count in result["expected"].items():
        assert len(result["latencies"][frame]) == count, (frame, result["expected"])
    assert len(result["logins_quiet"]) == 3
    assert len(result["logins_busy"]) == 3
    assert result["state_changes"] > 0
    assert result["state_writes"] > 0
    assert result["rss_after"] > result["rss_before"] > 0
    assert "AMI event sent -> WebSocket frame at the terminal" in run.stdout
