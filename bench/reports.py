"""Benchmark: the reports over a year of history (>= 5 million call records, 200 operators).

Starts a throwaway MariaDB, migrates the admin, creates the agency's tables from its own DDL and
loads a year of generated calls and operator intervals (``testkit.call_history``) with LOAD
DATA LOCAL INFILE, a month at a time. Then it opens each report page for the last month and
for the whole year through Django's test client, ``--requests`` times each, and prints p50 /
p95 / max. The first request summarizes the settled days (printed apart: it happens once per
day in production); today is recounted live on every request. Target (issue 17): p95 <= 1 s.
Run: `make bench-reports` (`--calls 500000` for a quick look).
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testkit import call_history
from testkit.admin import configure_django, migrated_database
from testkit.mariadb import start_mariadb, stop_mariadb

DAYS = 365
LOAD_POOL = 1 << 30  # InnoDB buffer pool while loading; the reports run with Debian's 128 MiB
SERVE_POOL = 128 << 20
TRANSFER_SHARE = 1.03  # legs per call (transfers add ~3 %)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000_000, help="call records at least")
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20, help="per report page and period")
    parser.add_argument("--exports", type=int, default=3, help="per export format and period")
    parser.add_argument("--profile", help="cProfile one request of this report over the year")
    args = parser.parse_args()

    configure_django(test_environment=False)
    logging.getLogger("uzor.access").setLevel(logging.WARNING)
    proc, server = start_mariadb()
    try:
        db = migrated_database(server)
        load(server, db.name, args.calls, args.operators)
        if args.profile:
            profile(args.profile)
        run(args.requests, args.exports)
    finally:
        from django.db import connections

        connections.close_all()
        stop_mariadb(proc, server)


def load(server, database: str, calls: int, operators: int) -> None:  # type: ignore[no-untyped-def]
    from appliance.agency.database import SCHEMA

    conn = server.connect(database, local_infile=True)
    with conn.cursor() as cursor:
        cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", (LOAD_POOL,))
        for ddl in SCHEMA:
            cursor.execute(ddl)
    now = datetime.now(UTC).replace(tzinfo=None)
    start = datetime.combine(now.date() - timedelta(days=DAYS - 1), datetime.min.time())
    per_day = math.ceil(calls / DAYS / TRANSFER_SHARE * 1.01)
    agents = call_history.agents(operators)
    rng = random.Random(2026)
    started = time.perf_counter()
    loaded_calls = loaded_intervals = 0
    for first in range(0, DAYS, 30):
        days = min(30, DAYS - first)
        month = start + timedelta(days=first)
        rows = (
            r for r in call_history.call_rows(rng, month, days, per_day, agents) if r[15] <= now
        )
        loaded_calls += call_history.load_tsv(conn, "agency_call", call_history.CALL_COLUMNS, rows)
        intervals = (r for r in call_history.interval_rows(rng, month, days, agents) if r[5] <= now)
        loaded_intervals += call_history.load_tsv(
            conn, "agency_interval", call_history.INTERVAL_COLUMNS, intervals
        )
        print(
            f"  loaded {loaded_calls:,} call records, {loaded_intervals:,} intervals"
            f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    with conn.cursor() as cursor:
        cursor.execute("ANALYZE TABLE agency_call, agency_interval")
        cursor.fetchall()
        cursor.execute("SET GLOBAL innodb_buffer_pool_size = %s", (SERVE_POOL,))
    conn.close()
    print(
        f"history: {loaded_calls:,} call records, {loaded_intervals:,} intervals of"
        f" {operators} operators over {DAYS} days, loaded in {time.perf_counter() - started:.0f} s"
    )
    if loaded_calls < calls:
        raise SystemExit(f"only {loaded_calls:,} call records, wanted {calls:,}")


def run(requests: int, exports: int) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from appliance.admin.callcenter.reports.definitions import REPORTS

    user = User.objects.create_superuser("bench", "", "bench-Pass-1")
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    periods = {
        "month": (today - timedelta(days=30), today),
        "year": (today - timedelta(days=DAYS - 1), today),
    }
    url = "/admin/callcenter/callday/"
    started = time.perf_counter()
    get(client, url, {"report": "topics", "first": periods["year"][0], "last": today})
    print(
        "first request: summarized the year's settled days in"
        f" {time.perf_counter() - started:.1f} s"
    )
    print(f"report pages, {requests} requests each (Django test client, MariaDB, pool 128 MiB):")
    worst = 0.0
    for period_name, (first, last) in periods.items():
        for report in REPORTS:
            params = {"report": report, "first": first, "last": last}
            p95 = show(
                f"{report} {period_name}", [get(client, url, params) for _ in range(requests)]
            )
            worst = max(worst, p95)
    print(f"worst p95 of the report pages: {worst:.1f} ms (target <= 1000 ms)")
    print(f"exports, {exports} requests each (the abandoned list carries up to 100,000 calls):")
    for period_name, (first, last) in periods.items():
        for report in REPORTS:
            for wanted in ("csv", "xlsx"):
                params = {"report": report, "first": first, "last": last, "format": wanted}
                timings = [get(client, url, params) for _ in range(exports)]
                show(f"{report} {period_name} {wanted}", timings)


def profile(report: str) -> None:
    import cProfile
    import pstats

    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    client = Client()
    client.force_login(User.objects.create_superuser("profiler", "", "bench-Pass-1"))
    today = timezone.localdate()
    params = {"report": report, "first": today - timedelta(days=DAYS - 1), "last": today}
    get(client, "/admin/callcenter/callday/", params)
    from django.db import connection

    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        profiler.enable()
        get(client, "/admin/callcenter/callday/", params)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    for elapsed, sql in sorted(queries, reverse=True)[:8]:
        print(f"  {elapsed:7.1f} ms  {sql[:160]}")


def show(label: str, timings: list[float]) -> float:
    p95 = percentile(timings, 95)
    print(
        f"  {label:24s} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms"
        f"   max {max(timings):7.1f} ms",
        flush=True,
    )
    return p95


def get(client, url: str, params: dict) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    return elapsed


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


if __name__ == "__main__":
    main()
