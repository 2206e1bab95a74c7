"""ACP fan-out on the real thing: AMI event -> WebSocket frame at the operator's terminal.

What runs: ``uzor-agency`` as installed (its configuration file as the configurator writes it,
a real license, the admin's tables and its own on a throwaway MariaDB with the installed
durability settings), N terminals logged in over ACP, and an AMI peer the agency connects to as
to its PBX unit. What is played: that peer is a player of a recorded real Asterisk 22 stream
(``bench/data/*.bin.gz``: ~110 events per queued call), re-addressed to the logged-in workplaces
(``bench/fanout/player.py``); it is not a live Asterisk, and nginx (TLS, proxying) is not in
the path: terminals connect to the agency's own port, with their PC's address in X-Real-IP as
nginx passes it on.

Measured: the time from the player's send of an event (AgentCalled, AgentConnect, the
workplace's Hangup) to the arrival of the frame it causes (call_incoming, call_answered,
call_ended) at the terminal, on the host's clock; the agency's RSS per logged-in terminal; login
latency with no calls, and while the stream makes the agency write operators' states (sessions,
intervals) to MariaDB. The load average is printed next to every figure (the machine is shared).

Run: ``.venv/bin/python -m bench.fanout.run [--terminals 2000] [--rate 500] [--seconds 30]``
Targets (issue 14): 2,000 terminals p99 <= 25 ms, 5,000 terminals p99 <= 50 ms at 500 events/s;
<= 32 KiB RSS per terminal; logins not stalled behind state writes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil

from bench.fanout import site, terminals
from bench.load.site import django_on
from testkit.tools import free_port

STREAM = Path(__file__).resolve().parents[1] / "data" / "ami-callcenter.bin.gz"
TARGETS = {2000: 25.0, 5000: 50.0}  # terminals -> p99 target in ms at 500 events/s
RSS_TARGET_KIB = 32


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


@dataclass
class Result:
    terminals: int
    events: int = 0
    expected: dict[str, int] = field(default_factory=dict)  # frame -> events sent for it
    latencies: dict[str, list[float]] = field(default_factory=dict)  # frame -> ms
    login_seconds: float = 0.0
    login_retries: int = 0
    failures: list[str] = field(default_factory=list)
    rss_before: int = 0
    rss_after: int = 0
    logins_quiet: list[float] = field(default_factory=list)  # ms
    logins_busy: list[float] = field(default_factory=list)  # ms
    state_writes: int = 0  # agency_interval + agency_session rows written during the stream
    state_changes: int = 0  # pause/ready changes the togglers made during the stream
    agency_ran: float = 0.0  # seconds on a CPU during the stream (schedstat)
    agency_waited: float = 0.0  # seconds runnable but waiting for a CPU during the stream
    agency_cpu: float = 0.0  # share of one core during the stream
    agency_cpu_seconds: float = 0.0  # its CPU time (user + system) during the stream
    loads: dict[str, str] = field(default_factory=dict)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (sent at, ms) per frame

    def all_latencies(self) -> list[float]:
        return sorted(x for values in self.latencies.values() for x in values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


def raise_file_limit() -> None:
    """As many descriptors as the hard limit allows (up to 65536), for the terminals here and,
    inherited, the agency (its systemd unit's LimitNOFILE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _written_rows(database: object) -> int:
    with database.connect() as conn, conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM agency_interval) + (SELECT COUNT(*) FROM agency_session)"
        )
        return int(cur.fetchone()[0])


@dataclass
class Parts:
    url: str  # the agency's
    agency: psutil.Process
    player: subprocess.Popen[str]
    workdir: Path
    database: object


def _schedstat(pid: int) -> tuple[float, float]:
    """Seconds the process's threads ran on a CPU and waited, runnable, for one (the kernel's
    schedstat): on a shared machine the wait is the latency other jobs add."""
    ran = waited = 0.0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(OSError):
            on_cpu, on_queue, _ = stat.read_text().split()
            ran, waited = ran + int(on_cpu) / 1e9, waited + int(on_queue) / 1e9
    return ran, waited


def _profile(args: argparse.Namespace, pid: int) -> subprocess.Popen[bytes] | None:
    """py-spy (``pip install py-spy``) sampling the agency during the stream, if asked."""
    if args.profile is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(int(args.seconds))]
    command += ["--rate", "200", "--format", "raw", "--output", str(args.profile)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _togglers(
    farm: terminals.Farm,
    args: argparse.Namespace,
    start: asyncio.Event,
    stop: asyncio.Event,
    toggled: list[int],
) -> list[asyncio.Task[None]]:
    """The operators changing pause/ready during the stream, logged in (they start on start)."""
    readies = [asyncio.Event() for _ in range(args.on_break)]
    tasks = [
        asyncio.create_task(
            terminals.toggler(
                farm,
                args.terminals + n,
                period=args.break_period,
                start=start,
                stop=stop,
                done=toggled,
                ready=readies[n],
            )
        )
        for n in range(args.on_break)
    ]
    for ready in readies:
        await ready.wait()
    return tasks


def _join(result: Result, sent: dict[str, float], received: dict[str, float]) -> None:
    """Each frame's latency: its arrival minus the send of the event that caused it."""
    for key, at in sent.items():
        frame = key.rsplit(" ", 1)[1]
        result.expected[frame] = result.expected.get(frame, 0) + 1
        arrived = received.get(key)
        if arrived is not None:
            result.latencies.setdefault(frame, []).append((arrived - at) * 1000)
            result.timeline.append((at, (arrived - at) * 1000))
    result.timeline.sort()


async def measure(args: argparse.Namespace, parts: Parts, result: Result) -> None:
    url, agency, player = parts.url, parts.agency, parts.player
    workdir, database = parts.workdir, parts.database
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        farm = terminals.Farm(url, session)
        result.rss_before = agency.memory_info().rss
        result.loads["logins"] = load()
        result.login_seconds = await terminals.log_in_all(
            farm, args.terminals, args.logins_per_second
        )
        result.login_retries = farm.retries
        await asyncio.sleep(2)
        result.rss_after = agency.memory_info().rss
        start, stop, toggled = asyncio.Event(), asyncio.Event(), [0]
        togglers = await _togglers(farm, args, start, stop, toggled)
        probes = args.probes
        first_probe = args.terminals + args.on_break
        quiet = await terminals.probe_logins(farm, first_probe, probes, 0.1)
        result.logins_quiet = [x * 1000 for x in quiet]
        sentlog = workdir / "sent.json"
        result.loads["stream"] = load()
        rows_before = await asyncio.to_thread(_written_rows, database)
        cpu_before = sum(agency.cpu_times()[:2])
        sched_before = _schedstat(agency.pid)
        started = time.monotonic()
        assert player.stdin is not None and player.stdout is not None
        profiler = _profile(args, agency.pid)
        player.stdin.write(f"stream {args.rate} {args.seconds} {sentlog}\n")
        player.stdin.flush()
        start.set()
        busy_task = asyncio.create_task(
            terminals.probe_logins(
                farm, first_probe + probes, probes, max(0.05, args.seconds / probes / 2)
            )
        )
        line = await asyncio.to_thread(player.stdout.readline)
        stop.set()
        elapsed = time.monotonic() - started
        result.agency_cpu_seconds = sum(agency.cpu_times()[:2]) - cpu_before
        result.agency_cpu = result.agency_cpu_seconds / elapsed
        sched_after = _schedstat(agency.pid)
        result.agency_ran = sched_after[0] - sched_before[0]
        result.agency_waited = sched_after[1] - sched_before[1]
        result.loads["after"] = load()
        result.logins_busy = [x * 1000 for x in await busy_task]
        if profiler is not None:
            await asyncio.to_thread(profiler.wait, 60)
        for task in togglers:
            await task
        result.state_changes = toggled[0]
        await asyncio.sleep(2)  # the last frames arrive
        result.state_writes = await asyncio.to_thread(_written_rows, database) - rows_before
        result.events = int(line.split()[1])
        _join(result, json.loads(sentlog.read_text()), farm.received)
        result.failures = list(farm.failures)
        await terminals.close(farm)


def run(args: argparse.Namespace) -> Result:
    from testkit.mariadb import start_mariadb, stop_mariadb

    raise_file_limit()
    result = Result(args.terminals)
    result.loads["start"] = load()
    workdir = Path(tempfile.mkdtemp(prefix="uzor-fanout-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        proc, server = start_mariadb(as_installed=True)
        stack.callback(stop_mariadb, proc, server)
        database = server.create_database()
        django_on(database)
        ami_port = free_port()
        site.load_model(args.terminals + args.on_break, 2 * args.probes, ami_port)
        player = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fanout.player",
                "--port",
                str(ami_port),
                "--stream",
                str(args.stream),
                "--terminals",
                str(args.terminals),
                *(["--eventfilter"] if args.eventfilter else []),
            ],
            cwd=site.REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(_stop, player)
        assert player.stdout is not None and player.stdin is not None
        if player.stdout.readline().strip() != "listening":
            raise RuntimeError("the AMI player did not start")
        config = site.write_config(
            workdir, database, args.terminals + 2 * args.probes + args.on_break + 10
        )
        process, url = stack.enter_context(site.running_agency(workdir, config))
        player.stdin.write("wait-login\n")
        player.stdin.flush()
        player.stdout.readline()
        time.sleep(1)  # the agency's resync after the AMI login
        parts = Parts(url, psutil.Process(process.pid), player, workdir, database)
        asyncio.run(measure(args, parts, result))
        if process.poll() is not None:
            raise RuntimeError(
                f"uzor-agency exited {process.returncode}:\n{site.tail(workdir / 'agency.log')}"
            )
    return result


def _stop(player: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError, ValueError):
        assert player.stdin is not None
        player.stdin.write("quit\n")
        player.stdin.close()
    try:
        player.wait(10)
    except subprocess.TimeoutExpired:
        player.kill()
        player.wait(5)


def _spread(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms,"
        f" max {max(values):.1f} ms"
    )


def report(result: Result, args: argparse.Namespace) -> None:
    target = TARGETS.get(result.terminals)
    ms = result.all_latencies()
    loads = result.loads
    say = print
    say(f"uzor-agency (the real process, its MariaDB as installed), AMI from {args.stream.name}")
    say("  FAKED: the AMI peer is a player of that recording of a real Asterisk 22, not a live")
    say("  unit; no nginx in the path (terminals on the agency's port, X-Real-IP as nginx sets)")
    say(
        f"terminals: {result.terminals} logged in in {result.login_seconds:.1f} s"
        f" ({result.login_retries} told to retry), failures: {len(result.failures)}"
        f"  [{loads['logins']}]"
    )
    counts = ", ".join(
        f"{k} {len(result.latencies.get(k, []))}/{v}" for k, v in sorted(result.expected.items())
    )
    say(
        f"AMI events sent: {result.events} at {args.rate:g}/s for {args.seconds:g} s;"
        f" frames received/expected: {counts}"
    )
    if ms:
        goal = f" (target p99 <= {target:g} ms)" if target else ""
        say(f"AMI event sent -> WebSocket frame at the terminal: {_spread(ms)}{goal}")
        say(f"  [{loads['stream']} before the stream, {loads['after']} after]")
        for frame, values in sorted(result.latencies.items()):
            say(f"  {frame:>14}: {_spread(values)}")
    per = (result.rss_after - result.rss_before) / result.terminals / 1024
    say(
        f"agency RSS: {result.rss_before / 2**20:.1f} MiB before the logins,"
        f" {result.rss_after / 2**20:.1f} MiB with {result.terminals} terminals"
        f" = {per:.1f} KiB per terminal (target <= {RSS_TARGET_KIB} KiB)  [{loads['logins']}]"
    )
    say(
        f"agency CPU during the stream: {result.agency_cpu:.0%} of one core;"
        f" {args.on_break} more operators changed pause/ready {result.state_changes} times;"
        f" state rows written: {result.state_writes}"
        f" ({result.state_writes / args.seconds:.0f}/s, each a durable commit)"
    )
    calls = result.expected.get("call_incoming", 0)
    if calls:
        per_call = 1000 * result.agency_cpu_seconds / calls
        say(
            f"calls rung in the stream: {calls}; agency CPU per call {per_call:.2f} ms (all of"
            " the stream's CPU, the operators on break included)"
        )
    say(
        f"agency during the stream: {result.agency_ran:.1f} s on a CPU,"
        f" {result.agency_waited:.1f} s runnable but waiting for one (other jobs' load)"
    )
    for name, values in (
        ("no calls", result.logins_quiet),
        ("during the stream", result.logins_busy),
    ):
        if values:
            say(f"login latency, {name}: {_spread(values)} ({len(values)} logins)")
    for failure in result.failures[:10]:
        say(f"  {failure}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=500, help="AMI events per second")
    parser.add_argument("--seconds", type=float, default=30, help="of streaming")
    parser.add_argument("--stream", type=Path, default=STREAM)
    parser.add_argument("--logins-per-second", type=float, default=100)
    parser.add_argument(
        "--on-break", type=int, default=100, help="operators changing pause/ready meanwhile"
    )
    parser.add_argument("--break-period", type=float, default=5, help="seconds between changes")
    parser.add_argument(
        "--profile", type=Path, help="py-spy's collapsed stacks of the agency during the stream"
    )
    parser.add_argument("--json", type=Path, help="also write the result here (the smoke test)")
    parser.add_argument("--probes", type=int, default=20, help="login latency samples per phase")
    parser.add_argument(
        "--eventfilter",
        action="store_true",
        help="play only the events the agency's AMI user gets on an installed unit (its"
        " eventfilter): ~16 a queued call instead of ~110; --rate counts those",
    )
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    result = run(args)
    report(result, args)
    if args.json:
        args.json.write_text(json.dumps(dataclasses.asdict(result)))


if __name__ == "__main__":
    main()
