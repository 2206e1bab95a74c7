"""Benchmark: the operators changelist with 5,000 operators, Django test client on MariaDB.

Starts a throwaway MariaDB (as the test fixture does), migrates, loads 5,000 operators in
20 groups, then requests the changelist (plain, searched, filtered, a later page) and prints
p50/p95/max per page. Target (issue 4): p95 <= 150 ms. Run: `make bench-admin`.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testkit.admin import configure_django, migrated_database
from testkit.mariadb import start_mariadb, stop_mariadb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="cProfile one changelist request")
    args = parser.parse_args()

    configure_django(test_environment=False)
    logging.getLogger("uzor.access").setLevel(logging.WARNING)
    proc, server = start_mariadb()
    try:
        migrated_database(server)
        load_operators(args.operators)
        run(args.requests, args.operators, args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        stop_mariadb(proc, server)


def load_operators(count: int) -> None:
    from appliance.admin.callcenter.models import Group, Membership, Operator
    from appliance.contracts.passwords import hash_password

    started = time.perf_counter()
    groups = Group.objects.bulk_create([Group(name=f"group{i:02d}") for i in range(20)])
    password = hash_password("bench-pass")
    operators = Operator.objects.bulk_create(
        [
            Operator(
                agent_number=f"{1000 + i}",
                last_name=f"Lastname{i}",
                first_name=f"First{i}",
                password=password,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    memberships = [Membership(operator=op, group=groups[i % 20]) for i, op in enumerate(operators)]
    memberships += [
        Membership(operator=op, group=groups[(i + 7) % 20])
        for i, op in enumerate(operators)
        if i % 2 == 0
    ]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    print(
        f"loaded {count} operators, {len(memberships)} memberships "
        f"in {time.perf_counter() - started:.1f} s"
    )


def run(requests: int, count: int, profile: bool = False) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from appliance.admin.callcenter.models import Group

    user = User.objects.create_superuser("bench", "", "bench-Pass-1")
    client = Client()
    client.force_login(user)
    group = Group.objects.get(name="group07")
    if profile:
        profile_once(client)
    pages = {
        "changelist": ("/admin/callcenter/operator/", {}),
        "search '1234'": ("/admin/callcenter/operator/", {"q": "1234"}),
        "filter by group": ("/admin/callcenter/operator/", {"groups__id__exact": group.pk}),
        "page 40": ("/admin/callcenter/operator/", {"p": "40"}),
    }
    print(
        f"operators changelist, {count} operators, {requests} requests per page "
        "(Django test client, MariaDB):"
    )
    worst_p95 = 0.0
    for label, (url, params) in pages.items():
        timings = measure(client, url, params, requests)
        p95 = percentile(timings, 95)
        worst_p95 = max(worst_p95, p95)
        print(
            f"  {label:18s} p50 {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {max(timings):7.1f} ms"
        )
    print(f"worst p95: {worst_p95:.1f} ms (target <= 150 ms)")


def profile_once(client) -> None:  # type: ignore[no-untyped-def]
    import cProfile
    import pstats

    client.get("/admin/callcenter/operator/")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/admin/callcenter/operator/")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def measure(client, url: str, params: dict, requests: int) -> list[float]:  # type: ignore[no-untyped-def]
    client.get(url, params)  # warm up
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    return timings


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


if __name__ == "__main__":
    main()
