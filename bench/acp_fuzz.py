"""Bad ACP input at volume (issue 14): 100,000 generated messages from many sessions at once
against the real agency (``python -m appliance.agency.main``) with its MariaDB store, a real
Asterisk 22 unit and a real license, while a control terminal logged in throughout changes its
state. Prints messages sent, answers per code, protocol failures, the answer time p99, the
agency's RSS along the run and whether the process lived.

Nothing is faked on the agency's side; the terminals are Python WebSocket clients
(``testkit.acp_fuzz``). Loopback only; the run stops by itself.

    make bench-acp-fuzz                      # 100,000 messages, 64 sessions
    .venv/bin/python bench/acp_fuzz.py --messages 20000 --sessions 32
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testkit.acp_fuzz import CONTROL, FuzzReport, fuzz, fuzz_model  # noqa: E402
from testkit.admin import configure_django, drop_migrated_database, migrated_database  # noqa: E402
from testkit.agency import make_license, write_agency  # noqa: E402
from testkit.mariadb import start_mariadb, stop_mariadb  # noqa: E402
from testkit.pbx import UnitPool, build_pbx_rootfs  # noqa: E402


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--operators", type=int, default=8, help="sessions that log in")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds an answer may take before it counts as none",
    )
    args = parser.parse_args()

    configure_django(test_environment=False)
    pool = UnitPool(build_pbx_rootfs())
    proc, server = start_mariadb()
    work = Path(tempfile.mkdtemp(prefix="uzor-acp-fuzz-"))
    db = migrated_database(server)
    agency = None
    try:
        unit = pool({"queues.d/fuzz.conf": "[fuzz]\nstrategy = rrmemory\n"}, name="fuzz")
        with fuzz_model(unit, operators=args.operators) as operators:
            agency = write_agency(work, db, make_license(work, max_operators=100))
            agency.start()
            assert agency.process is not None
            pid = agency.process.pid
            rss = [(0, rss_kib(pid))]

            def progress(report: FuzzReport) -> None:
                rss.append((report.sent, rss_kib(pid)))
                print(f"  ... {report.sent} sent, RSS {rss[-1][1] // 1024} MiB", flush=True)

            started = time.perf_counter()
            report = asyncio.run(
                fuzz(
                    agency.url,
                    messages=args.messages,
                    sessions=args.sessions,
                    control=CONTROL,
                    operators=operators,
                    seed=args.seed,
                    timeout=args.timeout,
                    progress=progress,
                )
            )
            rss.append((report.sent, rss_kib(pid)))
            alive = agency.process.poll() is None
            status = agency.status(agency.token) if alive else {}
            print(f"\nACP fuzz: {args.messages} messages, {args.sessions} sessions at once")
            print(report.summary())
            print(f"agency process      {'alive' if alive else 'DEAD'} (crashes: {int(not alive)})")
            print(
                f"/status             {status.get('status')}, terminals {status.get('terminals')}"
            )
            print(f"records dropped     {status.get('records', {}).get('dropped')}")
            print("agency RSS (MiB) by messages sent:")
            for sent, kib in rss:
                print(f"  {sent:>8}  {kib / 1024:.1f}")
            print(f"wall time           {time.perf_counter() - started:.1f} s")
            problems = report.problems()
            if not alive:
                problems.append("the agency died")
            return 1 if problems else 0
    finally:
        if agency is not None:
            agency.stop()
        pool.close()
        drop_migrated_database(server, db)
        stop_mariadb(proc, server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
