"""Load harness: a contact-center shift on real Asterisk, against a minimal-dialplan baseline.

N simulated operators (each a registered SIP phone of the operator farm for its workplace,
answering with real DTLS-SRTP media, and a real ACP client of the real agency that presses
Ready after wrap-up with a think time) take calls the carrier offers to a DID at rising rates.
The same caller load runs first against the baseline (DID -> Queue() -> the same phones, static
members, no agency, no admin config), then against a unit configured only by Apply Dialplan.

Per rate: offered, answered, abandoned, failed, and the setup time (from the carrier's
Originate to the unit's AgentConnect: the caller's INVITE, the topic's routing, the queue and
the operator's phone ringing and answering) as median / p95 / max. CPU and RSS of Asterisk,
the agency and MariaDB are sampled during each system's run. The sustained rate is the highest
rate at which every offered call reached an operator; the headline is ours / baseline.

Traffic stays on loopback. Run as root from the checkout:
``make bench-load`` or ``.venv/bin/python -m bench.load.run --operators 50 --rates 1,2,4``.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.load.callers import CallLoad, StepReport  # noqa: E402
from bench.load.operators import Credentials, CrowdThread, OperatorCrowd  # noqa: E402
from bench.load.sampler import MACHINE, Sampler, Usage  # noqa: E402
from bench.load.site import (  # noqa: E402
    DID,
    PASSWORD,
    Parts,
    baseline_files,
    build_uzor,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--rates", default="1,2,4", help="calls per second, comma-separated")
    parser.add_argument("--step", type=float, default=30.0, help="seconds of offering per rate")
    parser.add_argument("--talk", type=float, default=8.0, help="seconds an operator talks")
    parser.add_argument("--think", type=float, default=2.0, help="seconds in wrap-up (mean)")
    parser.add_argument("--patience", type=float, default=30.0, help="caller's queue patience")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rates = [float(r) for r in args.rates.split(",")]
    ceiling = args.operators / (args.talk + args.think + 1)
    workdir = Path(tempfile.mkdtemp(prefix="uzor-load-"))
    print(
        f"load: {args.operators} operators, talk {args.talk:g} s, think ~{args.think:g} s, "
        f"patience {args.patience:g} s, {args.step:g} s per rate, rates {rates} calls/s\n"
        f"operators' own ceiling ~{ceiling:.1f} calls/s (N / (talk + think + 1 s))"
    )
    with Parts(workdir) as parts:
        carrier = parts.carrier()
        uzor = build_uzor(parts, carrier, args.operators, wrapup=120)
        phones = uzor.operators.phones
        results: dict[str, tuple[list[StepReport], dict[str, Usage]]] = {}
        if not args.skip_baseline:
            base = parts.unit("baseline", baseline_files(phones, carrier, round(args.think)))
            farm = parts.farm(phones, base, args.talk)
            carrier.point_at(base)
            results["baseline"] = run_system(base, carrier, rates, args, {"asterisk": base.pid})
            farm.stop()
            farm.remove()
            base.stop()
        farm = parts.farm(phones, uzor.unit, args.talk)
        carrier.point_at(uzor.unit)
        credentials = [
            Credentials(agent, PASSWORD, mac)
            for agent, mac in zip(uzor.operators.agents, uzor.operators.macs, strict=True)
        ]
        think = (0.5, 2 * args.think - 0.5)
        crowd = CrowdThread(OperatorCrowd(uzor.agency.url, credentials, think))
        started = time.monotonic()
        crowd.start()
        parts.callback(crowd.stop)
        stats = crowd.crowd.stats
        print(
            f"uzor: {args.operators} operators logged in over ACP in "
            f"{time.monotonic() - started:.1f} s (refusals on the way: {dict(stats.errors)})"
        )
        stats.errors.clear()
        pids = {
            "asterisk": uzor.unit.pid,
            "agency": uzor.agency.process.pid,
            "mariadb": uzor.mariadb_pid,
        }
        links_before = ami_links(uzor.agency.log)
        results["uzor"] = run_system(uzor.unit, carrier, rates, args, pids)
        links = ami_links(uzor.agency.log)
        print(
            f"uzor agency's AMI link: {links.ups - links_before.ups} reconnects during the run "
            f"(each a resync of every operator), {links.busy - links_before.busy} Pings "
            "answered late by the busy unit and waited for"
        )
        stats = crowd.crowd.stats
        print(
            f"uzor operators: {stats.logins} logins, {stats.readies} Ready after wrap-up, "
            f"{stats.reconnects} reconnects, {stats.logged_out} logged out by the agency, "
            f"errors {dict(stats.errors) or 'none'}"
        )
        report(results, args.operators)


def run_system(
    unit: Any,
    carrier: Any,
    rates: list[float],
    args: argparse.Namespace,
    pids: dict[str, int],
) -> tuple[list[StepReport], dict[str, Usage]]:
    events = unit.ami(events="agent")
    load = CallLoad(carrier, events, DID)
    steps = []
    usage: dict[str, Usage] = {}  # the whole run's: the steps' added up
    for rate in rates:
        step_sampler = Sampler({**pids, "machine": MACHINE})
        step_sampler.start()
        step = load.step(rate, args.step, args.talk, args.patience)
        step_usage = step_sampler.stop()
        steps.append(step)
        print(
            f"  {rate:5.1f}/s offered {step.offered:4d} answered {step.answered:4d} "
            f"abandoned {step.abandoned:3d} failed {step.failed:3d} not sent {step.not_sent:3d}"
            f"  setup med/p95/max {step.setup_figures()} s"
        )
        print(f"         {step_cpu(step_usage, step.answered)}")
        for part, u in step_usage.items():
            if part != "machine":
                total = usage.setdefault(part, Usage())
                total.cpu_seconds += u.cpu_seconds
                total.wall_seconds += u.wall_seconds
                total.rss_max_kib = max(total.rss_max_kib, u.rss_max_kib)
        if step.failures:
            print(f"         {step.failure_figures()}")
        if not step.clean:
            break
    events.close()
    return steps, usage


class Links(NamedTuple):
    ups: int  # "AMI <unit>: up" lines: the first connection and every reconnect
    busy: int  # Pings the unit answered late while it kept sending (the link kept)


def ami_links(log: Path) -> Links:
    text = log.read_text(errors="replace")
    ups = len(re.findall(r"AMI \S+: up \(", text))
    return Links(ups, len(re.findall(r"AMI \S+: Ping answered after", text)))


def step_cpu(usage: dict[str, Usage], answered: int) -> str:
    """CPU during one step (its offering and the calls' draining), per part in % of one core,
    and each part's CPU per answered call turned into the % of a core it needs at 50 calls/s."""
    parts = []
    for part, u in usage.items():
        figure = f"{part} {u.cpu_percent:5.1f} %"
        if part != "machine" and answered:
            figure += f" ({100 * 50 * u.cpu_seconds / answered:.1f} % at 50/s)"
        parts.append(figure)
    return "CPU of one core: " + ", ".join(parts)


def report(results: dict[str, tuple[list[StepReport], dict[str, Usage]]], operators: int) -> None:
    print()
    print(
        f"{'system':<10} {'rate/s':>6} {'offered':>7} {'answered':>8} {'abandoned':>9} "
        f"{'failed':>6} {'not sent':>8}  setup med / p95 / max (s)"
    )
    sustained: dict[str, float] = {}
    for system, (steps, _) in results.items():
        for s in steps:
            print(
                f"{system:<10} {s.rate:6.1f} {s.offered:7d} {s.answered:8d} {s.abandoned:9d} "
                f"{s.failed:6d} {s.not_sent:8d}  {s.setup_figures()}"
            )
        sustained[system] = max((s.rate for s in steps if s.clean), default=0.0)
    print()
    hundreds = operators / 100
    print(f"resources over each system's whole run (per 100 operators: / {hundreds:g})")
    for system, (_, usage) in results.items():
        for part, u in usage.items():
            cpu, rss = u.cpu_percent, u.rss_max_kib / 1024
            print(
                f"{system:<10} {part:<9} CPU {cpu:5.1f} % ({cpu / hundreds:4.1f} per 100)   "
                f"RSS max {rss:7.1f} MiB ({rss / hundreds:6.1f} per 100)"
            )
    print()
    for system, rate in sustained.items():
        print(f"sustained with zero failed calls: {system:<9} {rate:g} calls/s")
    if sustained.get("baseline"):
        print(
            f"ratio uzor / baseline: {sustained.get('uzor', 0) / sustained['baseline']:.2f} "
            "(the highest rate offered is a ceiling: raise --rates if both reach it)"
        )


if __name__ == "__main__":
    main()
