"""What the PBX test fixtures cost: root lookup (warm), unit boot and stop, a carrier call.

Run as root from the checkout: ``.venv/bin/python bench/pbx_fixtures.py [rounds]``.
The cold root build is measured by moving /var/cache/uzor/pbx-rootfs-* away first and timing
``make pbx-rootfs`` (see docs/testing.md).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from testkit.pbx_carrier import Carrier
from testkit.pbx_configs import CARRIER_EXTENSIONS
from testkit.pbx_unit import AsteriskUnit

REPO = Path(__file__).resolve().parents[1]
ANSWER = "[from-carrier]\nexten => _X.,1,Answer()\n same => n,Wait(0.5)\n same => n,Hangup()\n"


def timed(action):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def show(label: str, values: list[float]) -> None:
    print(
        f"{label:<34} median {statistics.median(values):6.3f} s"
        f"   min {min(values):6.3f}   max {max(values):6.3f}   (n={len(values)})"
    )


def main(rounds: int) -> None:
    script = str(REPO / "scripts" / "build-pbx-rootfs.sh")
    warm, out = timed(lambda: subprocess.run([script], capture_output=True, text=True, check=True))
    rootfs = Path(out.stdout.strip())
    print(f"{'root lookup (warm cache)':<34} {warm:6.3f} s   {rootfs}")

    boots, stops = [], []
    for _ in range(rounds):
        unit = AsteriskUnit(rootfs, "bench")
        boots.append(timed(unit.start)[0])
        stops.append(timed(unit.stop)[0])
        unit.remove()
    show("unit boot (start until AMI up)", boots)
    show("unit stop", stops)

    carrier_unit = AsteriskUnit(rootfs, "carrier", {"extensions.conf": CARRIER_EXTENSIONS})
    carrier_unit.start()
    carrier = Carrier(carrier_unit)
    unit = AsteriskUnit(
        rootfs,
        "callee",
        {"pjsip.d/carrier.conf": carrier.unit_trunk_config(), "extensions.d/in.conf": ANSWER},
    )
    unit.start()
    try:
        carrier.point_at(unit)
        answers, calls = [], []
        for _ in range(rounds):
            elapsed, report = timed(lambda: carrier.call("4951234567", hold=10))
            assert report.answered, report
            answers.append(report.answer_delay or 0.0)
            calls.append(elapsed)
        show("carrier call: Originate -> answer", answers)
        show("carrier call: whole (0.5 s Wait)", calls)
    finally:
        carrier.close()
        carrier_unit.remove()
        unit.remove()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
