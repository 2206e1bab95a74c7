"""Benchmark: Apply Dialplan for a large call center on two real Asterisk units.

Starts a throwaway MariaDB (as the test fixture does), migrates, loads 5,000 operators,
1,000 workplaces, 2,000 inbound topics (each with a DID transformation), 200 outbound topics,
100 gateways and 500 routes, serves the admin over HTTP, boots two PBX units that include
their configuration through ``#exec uzor-confgen``, then measures:

- render: the snapshot of the model plus a revision per unit (targets: <= 2 s);
- apply: render + AMI reload on both units + read back (target: applied on both <= 10 s);

both first with every topic on the standard flow, then with every topic holding its own
20-node call flow (every node kind; bench/callflow_sample.py), side by side.

Run as root: ``make bench-admin`` or ``.venv/bin/python bench/admin_apply.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from testkit.admin import migrated_database  # noqa: E402
from testkit.dialplan import AdminServer, unit_files  # noqa: E402  (Django set up)
from testkit.mariadb import start_mariadb, stop_mariadb  # noqa: E402
from testkit.pbx_unit import AsteriskUnit  # noqa: E402

UNUSABLE = "!"  # Django's unusable password hash: the bench never logs operators in
SIZES = {
    "operators": 5000,
    "workplaces": 1000,
    "inbound": 2000,
    "outbound": 200,
    "gateways": 100,
    "routes": 500,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    proc, server = start_mariadb()
    units: list[AsteriskUnit] = []
    try:
        migrated_database(server)
        load_model(Path(tempfile.mkdtemp(prefix="uzor-bench-sounds-")))
        admin = AdminServer()
        units = [boot_unit(admin, name) for name in ("pbx1", "pbx2")]
        print("-- every topic on the standard flow (schedule -> greeting -> queue)")
        measure(args.rounds, units)
        give_every_topic_a_flow()
        print("-- every topic with its own 20-node call flow")
        measure(args.rounds, units)
        admin.stop()
    finally:
        for unit in units:
            unit.remove()
        from django.db import connections

        connections.close_all()
        stop_mariadb(proc, server)


def load_model(tmp: Path) -> None:
    from appliance.admin.callcenter.dialplan.tests.model import make_sound
    from appliance.admin.callcenter.models import (
        Context,
        Gateway,
        Group,
        InboundTopic,
        Membership,
        Operator,
        OutboundTopic,
        Route,
        Schedule,
        Transformation,
        WeeklyRange,
        Workplace,
    )

    started = time.perf_counter()
    sounds = [make_sound(tmp, name) for name in ("greeting", "closed", "hold")]
    groups = Group.objects.bulk_create(
        [Group(name=f"group{i:02d}", hold_sound=sounds[2], strategy="rrmemory") for i in range(20)]
    )
    operators = Operator.objects.bulk_create(
        [
            Operator(agent_number=f"{1000 + i}", password=UNUSABLE, wrapup_time=5 + i % 30)
            for i in range(SIZES["operators"])
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(operator=op, group=groups[i % 20]) for i, op in enumerate(operators)],
        batch_size=2000,
    )
    Workplace.objects.bulk_create(
        [Workplace(number=f"{10000 + i}", mac=f"{i:012x}") for i in range(SIZES["workplaces"])],
        batch_size=1000,
    )
    night = Schedule.objects.create(name="night")
    WeeklyRange.objects.create(schedule=night, weekday=6, start_time="00:00", end_time="23:59")
    contexts = Context.objects.bulk_create([Context(name=f"from-gw{i:02d}") for i in range(10)])
    gateways = Gateway.objects.bulk_create(
        [
            Gateway(
                name=f"gw{i:03d}",
                context=contexts[i % 10],
                host=f"10.0.{i // 250}.{i % 250 + 1}",
                username=f"user{i}" if i % 2 else "",
                password=f"pw{i}" if i % 2 else "",
            )
            for i in range(SIZES["gateways"])
        ]
    )
    topics = InboundTopic.objects.bulk_create(
        [
            InboundTopic(
                number=f"7495{i:07d}",
                name=f"Topic {i}",
                group=groups[i % 20],
                script_url=f"https://crm.example/script?topic={i}",
                working_sound=sounds[0],
                non_working_sound=sounds[1],
            )
            for i in range(SIZES["inbound"])
        ],
        batch_size=1000,
    )
    InboundTopic.non_working_schedules.through.objects.bulk_create(
        [
            InboundTopic.non_working_schedules.through(inboundtopic_id=t.pk, schedule_id=night.pk)
            for t in topics
        ]
    )
    Transformation.objects.bulk_create(
        [
            Transformation(context=contexts[i % 10], pattern=f"7499{i:07d}", result=f"7495{i:07d}")
            for i in range(SIZES["inbound"])
        ],
        batch_size=1000,
    )
    OutboundTopic.objects.bulk_create(
        [OutboundTopic(prefix=f"{100 + i}", name=f"Out {i}") for i in range(SIZES["outbound"])]
    )
    Route.objects.bulk_create(
        [
            Route(
                pattern=f"_8{i:03d}X.", gateway=gateways[i % 100], order=i, caller_id="74950000000"
            )
            for i in range(SIZES["routes"])
        ]
    )
    sizes = ", ".join(f"{v} {k}" for k, v in SIZES.items())
    print(f"model: {sizes} (loaded in {time.perf_counter() - started:.1f} s)")


def give_every_topic_a_flow() -> None:
    """A distinct 20-node flow per topic (its SEGMENT value differs), so nothing is shared."""
    from django.db import transaction

    from appliance.admin.callcenter.models import Group, InboundTopic, Sound

    sys.path.insert(0, str(REPO / "bench"))
    from callflow_sample import twenty_node_flow

    started = time.perf_counter()
    sounds = list(Sound.objects.order_by("name").values_list("name", flat=True))
    groups = list(Group.objects.order_by("name").values_list("name", flat=True))
    with transaction.atomic():
        for pk in InboundTopic.objects.values_list("pk", flat=True):
            flow = twenty_node_flow(sounds, groups, "night")
            flow["nodes"][1]["value"] = f"topic{pk}"
            InboundTopic.objects.filter(pk=pk).update(flow=flow)
    print(f"flows stored in {time.perf_counter() - started:.1f} s")


def boot_unit(admin: AdminServer, name: str) -> AsteriskUnit:
    from appliance.admin.callcenter.models import PbxUnit

    rootfs = (
        subprocess.run(
            [str(REPO / "scripts" / "build-pbx-rootfs.sh")],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    pbx = PbxUnit(name=name, address="127.0.0.1")
    token = pbx.issue_token()
    unit = AsteriskUnit(Path(rootfs), name, unit_files(admin, name, token))
    pbx.ami_port, pbx.ami_user, pbx.ami_secret = unit.ami_port, unit.ami_user, unit.ami_secret
    pbx.save()
    unit.start()
    return unit


def measure(rounds: int, units: list[AsteriskUnit]) -> None:
    from appliance.admin.callcenter.apply import apply_dialplan
    from appliance.admin.callcenter.dialplan import create_revisions, load_snapshot
    from appliance.admin.callcenter.models import PbxUnit

    pbx_units = list(PbxUnit.objects.order_by("name"))
    snapshots, renders, applies = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        snapshot = load_snapshot()
        snapshots.append(time.perf_counter() - started)
        made = create_revisions(pbx_units, "bench", snapshot)
        renders.append(time.perf_counter() - started)
    size = max(len(r.bundle) for r in made.values())
    for _ in range(rounds):
        started = time.perf_counter()
        results = apply_dialplan(pbx_units, "bench")
        applies.append(time.perf_counter() - started)
        failed = [r for r in results if not r.ok]
        if failed:
            raise SystemExit(f"apply failed: {failed}")
    endpoints = units[0].cli("pjsip show endpoints").count("Endpoint:  ")
    show("snapshot (read the model)", snapshots)
    show("render: snapshot + 2 revisions", renders, "target <= 2 s")
    show("apply on 2 units (render+reload)", applies, "target <= 10 s")
    print(f"bundle size per unit: {size / 1e6:.2f} MB; endpoints on pbx1: {endpoints}")


def show(label: str, values: list[float], target: str = "") -> None:
    print(
        f"{label:<36} median {statistics.median(values):6.2f} s   min {min(values):6.2f}   "
        f"max {max(values):6.2f}   (n={len(values)}) {target}"
    )


if __name__ == "__main__":
    main()
