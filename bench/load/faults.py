"""Faults under load: N operators logged in, calls flowing at a steady rate, one fault injected
mid-run, calls flowing after; one table per fault, each check PASS/FAIL with what it measured.

- ``asterisk-restart``: ``core restart now`` on the unit under load. Measured: the agency's
  link up again (its REST ``/status``) and resynced (its log's ``AMI <unit>: resynced``), every
  operator's queue membership and pause (``queue show``) against the same before the restart
  and against what its terminal shows, no ``logged_out`` at any terminal, the Originate actions
  the agency sent (its ``/metrics`` histogram) against the calls the terminals asked for (none
  in this run: the operators only take calls), and calls offered after the resync answered.
- ``agency-kill``: SIGKILL, then the same command and config again after systemd's
  ``RestartSec`` (read from the packaged unit). Measured: every terminal back in (reconnecting
  with the webagent's back-off and logging in again, which resumes the session) with
  ``resumed``, the state each came back to against the one before, no ``logged_out``, the
  calls bridged at the kill (``CoreShowChannels``) ended by the operator's phone after the
  talk time with cause 16, the queue against the terminals, and calls offered after the agency
  was back answered.
- ``db-stop``: MariaDB stopped (SIGTERM, a clean shutdown) for ``--db-down`` seconds, then
  started. Measured: the admin's answers meanwhile (a logged-in page and the units' confgen
  API), the admin back by itself, the calls offered during the outage answered, and at the end
  of the run every operator's ``agency_interval`` rows against the changes its terminal saw
  (none lost, none duplicated).

Run as root from the checkout: ``make bench-faults FAULT_ARGS="--operators 20 --fault all"``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import signal
import ssl
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.load.callers import CallLoad  # noqa: E402
from bench.load.checks import (  # noqa: E402
    Check,
    audit_intervals,
    pause_mismatches,
    print_table,
    queue_members,
)
from bench.load.farm import registered  # noqa: E402
from bench.load.operators import Credentials, CrowdThread, OperatorCrowd  # noqa: E402
from bench.load.sampler import Sampler  # noqa: E402
from bench.load.site import DID, PASSWORD, Parts, UzorSite, build_uzor  # noqa: E402
from testkit.ami import AmiError  # noqa: E402

FAULTS = ("asterisk-restart", "agency-kill", "db-stop")
QUEUE = "load"
WRAPUP = 120  # seconds: the operators' wrap-up time in the admin
AGENCY_SERVICE = REPO / "packaging/debian/uzor-agency/lib/systemd/system/uzor-agency@.service"
RESTART_SEC = float(re.findall(r"^RestartSec=([0-9.]+)$", AGENCY_SERVICE.read_text(), re.M)[0])
ADMIN_USER, ADMIN_PASSWORD = "load-admin", "load-admin-pass-1"


class EventRelay:
    """The unit's AMI events across its restarts: ``events`` is every connection's history in
    order (a dead connection's never grows again), as ``CallLoad`` reads it."""

    def __init__(self, unit: Any) -> None:
        self.unit = unit
        self.clients = [unit.ami(events="agent")]

    @property
    def events(self) -> list[Any]:
        return [e for client in self.clients for e in client.events]

    def mark(self) -> int:
        return len(self.events)

    def reopen(self, timeout: float = 60.0, step: float = 0.2) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.clients.append(self.unit.ami(events="agent"))
                return
            except (OSError, RuntimeError, AmiError):  # not listening yet, or not logged in
                if time.monotonic() > deadline:
                    raise
                time.sleep(step)

    def follow_restart(self, timeout: float = 120.0) -> None:
        """Asterisk restarts: once the old connection is closed, log in to the new instance as
        soon as its AMI answers, before it takes any call (its SIP waits for the full boot),
        so no event of a call is missed (an operator answering unseen would count as a failed
        call)."""
        deadline = time.monotonic() + timeout
        while not self.clients[-1].closed:
            if time.monotonic() > deadline:
                raise RuntimeError("the unit's AMI connection outlived its restart")
            time.sleep(0.02)
        self.reopen(deadline - time.monotonic(), step=0.05)

    def action_list(self, name: str, **headers: object) -> Any:
        return self.clients[-1].action_list(name, **headers)

    def close(self) -> None:
        for client in self.clients:
            client.close()


@dataclass
class Run:
    """Everything the faults act on and measure."""

    args: argparse.Namespace
    parts: Parts
    site: UzorSite
    farm: Any
    crowd: CrowdThread
    relay: EventRelay
    load: CallLoad
    sampler: Sampler
    interfaces: dict[str, str]  # agent -> PJSIP/<workplace>
    admin: AdminProbe
    tables: list[tuple[str, list[Check]]] = field(default_factory=list)
    windows: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    @property
    def stats(self) -> Any:
        return self.crowd.crowd.stats

    def terminals(self) -> dict[str, tuple[str, str | None]]:
        """agent -> (state, reason) as each terminal last saw it."""
        out = {}
        for agent, history in self.stats.history.items():
            _, (_, state, reason, _) = history[-1]
            out[agent] = (state, reason)
        return out

    def queue(self) -> dict[str, str | None]:
        return queue_members(self.site.unit.cli(f"queue show {QUEUE}"))

    def agency_status(self) -> dict[str, Any]:
        return dict(self.site.agency.status(self.site.agency.token))

    def originates(self) -> int:
        """Originate actions the agency sent (its AMI action latency histogram's count)."""
        agency = self.site.agency
        request = urllib.request.Request(agency.url + "/metrics")  # noqa: S310
        request.add_header("Authorization", f"Bearer {agency.token}")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            text = response.read().decode()
        found = re.search(r'uzor_agency_ami_action_seconds_count\{action="Originate"\} (\S+)', text)
        return int(float(found.group(1))) if found else 0


class AdminProbe:
    """The admin over HTTPS as a logged-in administrator and as a unit (confgen)."""

    def __init__(self, site: UzorSite) -> None:
        self.base = site.admin_url
        self.confgen = f"{site.admin_url}/admin/confgen/pbx1/current"
        self.token = site.confgen_token
        self.cookie = ""
        self.tls = ssl.create_default_context(cadata=site.admin_ca)
        self.opener = self.new_opener()

    def new_opener(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.tls))

    def log_in(self) -> None:
        """An administrator's session, made as the admin's login makes it (the session
        cookie is marked Secure, so a plain-HTTP client cannot log in through the form)."""
        from django.conf import settings
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )
        from django.contrib.sessions.backends.db import SessionStore

        user = get_user_model().objects.create_superuser(ADMIN_USER, "", ADMIN_PASSWORD)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        status, text = self.page()
        if status != 200:
            raise RuntimeError(f"the admin refused the administrator's session: {status} {text}")

    def page(self) -> tuple[int, str]:
        """The operators' list: (status, the first meaningful text of the answer)."""
        return self._get(
            self.opener, f"{self.base}/admin/callcenter/operator/", {"Cookie": self.cookie}
        )

    def unit_api(self) -> tuple[int, str]:
        return self._get(self.new_opener(), self.confgen, {"Authorization": f"Bearer {self.token}"})

    @staticmethod
    def _get(opener: Any, url: str, headers: dict[str, str]) -> tuple[int, str]:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        try:
            with opener.open(request, timeout=15) as response:
                return response.status, ""
        except urllib.error.HTTPError as exc:
            body = exc.read().decode(errors="replace")
            text = re.sub(r"<[^>]+>", " ", body)
            return exc.code, " ".join(text.split())[:120]
        except (OSError, TimeoutError) as exc:
            return 0, f"{type(exc).__name__}: {exc}"


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--rate", type=float, default=1.0, help="calls per second, steady")
    parser.add_argument("--fault", default="all", choices=(*FAULTS, "all"))
    parser.add_argument("--talk", type=float, default=15.0, help="seconds an operator talks")
    parser.add_argument("--think", type=float, default=2.0, help="seconds in wrap-up (mean)")
    parser.add_argument("--patience", type=float, default=30.0, help="caller's queue patience")
    parser.add_argument("--before", type=float, default=30.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=40.0, help="seconds of load after")
    parser.add_argument("--db-down", type=float, default=60.0, help="seconds MariaDB is down")
    parser.add_argument(
        "--sip-log",
        action="store_true",
        help="log the SIP the carrier exchanges with the unit in both units' logs (kept under "
        "the work directory)",
    )
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the admin's tracebacks while MariaDB is away
    faults = list(FAULTS) if args.fault == "all" else [args.fault]
    workdir = Path(tempfile.mkdtemp(prefix="uzor-faults-"))
    print(
        f"faults {faults}: {args.operators} operators, {args.rate:g} calls/s, talk "
        f"{args.talk:g} s, think ~{args.think:g} s, {args.before:g} s of load before each "
        f"fault, {args.after:g} s after"
    )
    with Parts(workdir) as parts:
        run = start(parts, args)
        for fault in faults:
            RUNNERS[fault](run)
        finish(run)
        for title, checks in run.tables:
            print_table(title, checks)
        failed = sum(not c.passed for _, checks in run.tables for c in checks)
        print(f"\n{failed} check(s) failed; parts' logs under {workdir}")
        usage = run.sampler.stop()
        for part, u in usage.items():
            print(
                f"  {part:<9} CPU {u.cpu_percent:5.1f} %   RSS max {u.rss_max_kib / 1024:7.1f} MiB"
            )


def start(parts: Parts, args: argparse.Namespace) -> Run:
    carrier = parts.carrier()
    site = build_uzor(parts, carrier, args.operators, wrapup=WRAPUP)
    admin = AdminProbe(site)
    admin.log_in()
    phones = site.operators.phones
    farm = parts.farm(phones, site.unit, args.talk)
    carrier.point_at(site.unit)
    if args.sip_log:
        sip_log(carrier.unit, site.unit)
    credentials = [
        Credentials(agent, PASSWORD, mac)
        for agent, mac in zip(site.operators.agents, site.operators.macs, strict=True)
    ]
    crowd = CrowdThread(OperatorCrowd(site.agency.url, credentials, (0.5, 2 * args.think - 0.5)))
    started = time.monotonic()
    crowd.start()
    parts.callback(crowd.stop)
    print(f"{args.operators} operators logged in over ACP in {time.monotonic() - started:.1f} s")
    relay = EventRelay(site.unit)
    parts.callback(relay.close)
    load = CallLoad(carrier, relay, DID)
    pids = {
        "asterisk": site.unit.pid,
        "agency": site.agency.process.pid,
        "mariadb": site.mariadb_pid,
    }
    sampler = Sampler(pids)
    sampler.start()
    interfaces = {
        agent: f"PJSIP/{phone.number}"
        for agent, phone in zip(site.operators.agents, phones, strict=True)
    }
    return Run(args, parts, site, farm, crowd, relay, load, sampler, interfaces, admin)


def sip_log(*units: Any) -> None:
    """PJSIP's logger on for the carrier's traffic (127.0.0.1; the farm's phones are at
    127.0.0.3): every request and response in the unit's log."""
    for unit in units:
        unit.cli("pjsip set logger host 127.0.0.1")


def under_load(
    run: Run, offering: float, fault: Callable[[], dict[str, float]]
) -> tuple[dict[str, float], range]:
    """Offer calls at the steady rate for ``offering`` seconds; ``fault`` runs after
    ``--before`` seconds and returns its moments (time.monotonic()); then every call ended."""
    args = run.args
    first = run.load._next
    thread = threading.Thread(
        target=run.load.step, args=(args.rate, offering, args.talk, args.patience), daemon=True
    )
    thread.start()
    time.sleep(args.before)
    moments = fault()
    thread.join()
    offered_until = max(c.offered_at for c in run.load.calls.values())
    if moments["recovered"] + args.after > offered_until:  # a late recovery: load after it
        run.load.step(args.rate, args.after, args.talk, args.patience)
    return moments, range(first, run.load._next)


def answered_after(run: Run, calls: range, since: float, until: float = float("inf")) -> Check:
    """The calls offered in [since, until) answered; a call the carrier never sent (its own
    limits: no real caller meets them) is not offered, and is shown apart."""
    placed = [run.load.calls[i] for i in calls if since <= run.load.calls[i].offered_at < until]
    unsent = Counter(c.failure for c in placed if c.connected_at is None and c.not_sent)
    offered = [c for c in placed if c.connected_at is not None or not c.not_sent]
    answered = [c for c in offered if c.connected_at is not None]
    why = Counter(
        "abandoned" if c.abandoned else (c.failure or "?")
        for c in offered
        if c.connected_at is None
    )
    figure = f"{len(answered)}/{len(offered)}" + (f" (not: {dict(why)})" if why else "")
    if unsent:
        figure += f"; the carrier could not send {sum(unsent.values())}: {dict(unsent)}"
    return Check(
        "calls offered after recovery answered" if until == float("inf") else "calls answered",
        bool(offered) and len(answered) == len(offered),
        figure,
    )


def wait(check: Callable[[], bool], timeout: float, step: float = 0.2) -> float | None:
    """time.monotonic() when ``check`` first held, None if it never did within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(step)
    return None


def consistent_queue(run: Run, timeout: float) -> tuple[float | None, list[str]]:
    """Wait until every operator is a member and every pause is what its terminal shows
    (terminals read before and after the queue, the operators that changed meanwhile left
    out); return when, and what was still wrong at the last look."""
    wrong: list[str] = []

    def check() -> bool:
        nonlocal wrong
        before = run.terminals()
        try:
            members = run.queue()
        except RuntimeError as exc:
            wrong = [str(exc)]
            return False
        after = run.terminals()
        stable = {a: s for a, s in after.items() if before.get(a) == s}
        wrong = pause_mismatches(members, stable, run.interfaces)
        missing = [a for a, i in run.interfaces.items() if i not in members]
        wrong += [f"{a}: not a member" for a in missing if a not in stable]
        return not wrong

    when = wait(check, timeout, step=1.0)
    return when, wrong


def utc_now() -> datetime:
    """As the agency writes its intervals' times: UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def since_wall(log: Path, pattern: str, after_wall: float) -> float | None:
    """The wall time of the first agency log line matching ``pattern`` after ``after_wall``."""
    for line in log.read_text(errors="replace").splitlines():
        if pattern not in line:
            continue
        try:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        except ValueError:
            continue
        if stamp >= after_wall:
            return stamp
    return None


# --- asterisk-restart -----------------------------------------------------------------------


def asterisk_restart(run: Run) -> None:
    unit, stats = run.site.unit, run.stats
    checks: list[Check] = []
    facts: dict[str, Any] = {}

    def fault() -> dict[str, float]:
        members_before = run.queue()
        terminals_before = run.terminals()
        facts["members_before"] = members_before
        facts["terminals_before"] = terminals_before
        facts["reconnects"] = run.agency_status()["units"][0]["reconnects"]
        facts["logged_out"] = len(stats.logged_out_at)
        facts["ready_retries"] = stats.ready_retries
        facts["ready_kept"] = stats.ready_kept
        facts["originates"] = run.originates()
        wall, t0 = time.time(), time.monotonic()
        with contextlib.suppress(RuntimeError):  # the console may go before it answers
            unit.cli("core restart now")
        run.relay.follow_restart()

        def link_up() -> bool:
            u = run.agency_status()["units"][0]
            return u["link"] == "up" and u["reconnects"] > facts["reconnects"]

        t_link = wait(link_up, 120)
        resynced = wait(lambda: since_wall(run.site.agency.log, "resynced", wall) is not None, 60)
        resync_wall = since_wall(run.site.agency.log, "resynced", wall)
        if run.args.sip_log:
            sip_log(unit)
        run.sampler.pids["asterisk"] = unit.pid
        t_queue, wrong = consistent_queue(run, 60)
        t_phones = wait(
            lambda: (
                registered(unit.cli("pjsip show contacts"), run.site.operators.phones)
                == len(run.site.operators.phones)
            ),
            120,
            step=1.0,
        )
        facts["wrong"] = wrong
        facts["members_after"] = run.queue()
        link = "never" if t_link is None else f"{t_link - t0:.2f} s"
        resync = "never" if resync_wall is None else f"{resync_wall - wall:.2f} s"
        checks.append(
            Check(
                "agency link up and resynced",
                t_link is not None and resynced is not None,
                f"link up {link}, resynced {resync} after 'core restart now' (agency log)",
            )
        )
        queue_at = "never" if t_queue is None else f"{t_queue - t0:.1f} s"
        checks.append(
            Check(
                "queue = terminals (membership, pause)",
                t_queue is not None,
                f"all {len(run.interfaces)} consistent at {queue_at}; wrong: "
                f"{len(wrong)} {wrong[:3]}",
            )
        )
        phones = "never" if t_phones is None else f"{t_phones - t0:.1f} s"
        checks.append(Check("workplace phones registered again", t_phones is not None, phones))
        recovered = max(t for t in (t_link, t_queue, t_phones, t0) if t is not None)
        return {"t0": t0, "recovered": recovered}

    moments, calls = under_load(run, run.args.before + run.args.after + 20, fault)
    checks += restart_verdicts(run, facts, moments, calls)
    run.tables.append(("asterisk core restart now", checks))


def restart_verdicts(
    run: Run, facts: dict[str, Any], moments: dict[str, float], calls: range
) -> list[Check]:
    """The checks of the restart measured once the load ended."""
    stats = run.stats
    checks: list[Check] = []
    before, after = facts["members_before"], facts["members_after"]
    same_members = set(before) == set(after) == set(run.interfaces.values())
    checks.append(
        Check(
            "queue membership as before",
            same_members,
            f"{len(before)} members before, {len(after)} after, "
            f"{len(set(before) ^ set(after))} differ",
        )
    )
    unchanged = [
        a
        for a, s in facts["terminals_before"].items()
        if s[0] in ("ready", "pause") and run.terminals().get(a) == s
    ]
    same_pause = [
        a for a in unchanged if before.get(run.interfaces[a]) == after.get(run.interfaces[a])
    ]
    checks.append(
        Check(
            "pause as before (operators still in the same state)",
            len(same_pause) == len(unchanged),
            f"{len(same_pause)}/{len(unchanged)}",
        )
    )
    out = len(stats.logged_out_at) - facts["logged_out"]
    checks.append(Check("nobody logged out", out == 0, f"{out} logged_out events"))
    retries = stats.ready_retries - facts["ready_retries"]
    kept = stats.ready_kept - facts["ready_kept"]
    checks.append(
        Check(
            "Ready while the unit was away kept, done after the resync",
            retries == 0 and not stats.pending,
            f"{kept} kept (pending), {len(stats.pending)} still pending at the end, "
            f"{retries} refused with pbx_unavailable (pressed again)",
        )
    )
    sent = run.originates() - facts["originates"]
    checks.append(
        Check(
            "no Originate sent twice",
            sent == 0,
            f"{sent} Originate sent by the agency (its /metrics), 0 asked by terminals",
        )
    )
    checks.append(answered_after(run, calls, moments["recovered"]))
    during = answered_after(run, calls, moments["t0"], moments["recovered"])
    checks.append(
        Check("calls offered during the restart (not a target)", True, f"{during.figure} answered")
    )
    return checks


# --- agency-kill ----------------------------------------------------------------------------


def agency_kill(run: Run) -> None:
    agency, stats = run.site.agency, run.stats
    checks: list[Check] = []
    facts: dict[str, Any] = {}

    def fault() -> dict[str, float]:
        _, channels = run.relay.action_list("CoreShowChannels")
        bridged = {
            int(c["CallerIDNum"]) - 79990000000
            for c in channels
            if c.get("BridgeId") and c.get("CallerIDNum", "").startswith("7999")
        }
        facts["bridged"] = bridged
        facts["terminals_before"] = run.terminals()
        facts["logged_out"] = len(stats.logged_out_at)
        tokens_before = (stats.token_logins, stats.tokens_refused)
        t0 = time.monotonic()
        facts["t0"] = t0
        agency.process.send_signal(signal.SIGKILL)
        agency.process.wait(10)
        time.sleep(RESTART_SEC)
        agency.start(timeout=120)
        t_up = time.monotonic()
        run.sampler.pids["agency"] = agency.process.pid

        def everyone_back() -> bool:
            return all(any(t > t0 for t, _ in stats.login_times.get(a, [])) for a in run.interfaces)

        t_back = wait(everyone_back, 600, step=0.5)
        resumed = sum(
            all(r for t, r in stats.login_times.get(a, []) if t > t0) for a in run.interfaces
        )
        back = "never" if t_back is None else f"{t_back - t0:.1f} s after the kill"
        by_token = stats.token_logins - tokens_before[0]
        refused = stats.tokens_refused - tokens_before[1]
        checks.append(
            Check(
                "agency up again (same command and config)",
                True,
                f"{t_up - t0:.1f} s after SIGKILL (RestartSec {RESTART_SEC:g} s included)",
            )
        )
        checks.append(
            Check(
                "terminals back, session resumed",
                t_back is not None and resumed == len(run.interfaces),
                f"{resumed}/{len(run.interfaces)} resumed; all logged in again {back};"
                f" {by_token} with the resume token, {refused} token(s) refused",
            )
        )
        facts["terminals_after"] = {
            a: next((s for t, s in stats.history.get(a, []) if t > t0), None)
            for a in run.interfaces
        }
        t_queue, wrong = consistent_queue(run, 60)
        checks.append(
            Check(
                "queue = terminals (membership, pause)",
                t_queue is not None,
                f"consistent {'never' if t_queue is None else f'{t_queue - t0:.1f} s'}"
                f" after the kill; wrong: {len(wrong)} {wrong[:3]}",
            )
        )
        return {"t0": t0, "recovered": t_back or time.monotonic()}

    moments, calls = under_load(run, run.args.before + run.args.after + 20, fault)
    changed = resumed_changes(run, facts)
    checks.append(
        Check(
            "state resumed as it was (operators not in a call)",
            not changed,
            f"{len(changed)} changed {changed[:3]}",
        )
    )
    out = len(stats.logged_out_at) - facts["logged_out"]
    checks.append(Check("nobody logged out", out == 0, f"{out} logged_out events"))
    bridged = [run.load.calls[i] for i in facts["bridged"] if i in run.load.calls]
    normal = [
        c
        for c in bridged
        if c.connected_at is not None
        and c.ended_at is not None
        and c.cause == "16"
        and c.ended_at - c.connected_at >= run.args.talk - 1
    ]
    checks.append(
        Check(
            "calls bridged at the kill continued",
            len(normal) == len(bridged),
            f"{len(normal)}/{len(bridged)} ended by the phone after the talk time, cause 16",
        )
    )
    checks.append(answered_after(run, calls, moments["recovered"]))
    during = answered_after(run, calls, moments["t0"], moments["recovered"])
    checks.append(Check("calls offered while the agency was away", during.passed, during.figure))
    run.tables.append(("agency SIGKILL and start again", checks))


def resumed_changes(run: Run, facts: dict[str, Any]) -> list[str]:
    """Operators (not in a call) whose resumed state is not the one before the kill, less
    what happened meanwhile for a reason: a call rang, its Ready had reached the agency, its
    wrap-up time ran out."""
    stats = run.stats
    before = facts["terminals_before"]
    changed = []
    for agent, state in before.items():
        after = facts["terminals_after"].get(agent)
        came_back = None if after is None else (after[1], after[2])
        if came_back is None or came_back == state or state[0] not in ("ready", "pause", "wrapup"):
            continue
        if state[0] == "ready" and came_back[0] in ("ringing", "talking"):
            continue  # a call reached the Ready operator
        wrapped = [
            t for t, s in stats.history.get(agent, []) if s[1] == "wrapup" and t < facts["t0"]
        ]
        back_at = min(
            (t for t, _ in stats.login_times.get(agent, []) if t > facts["t0"]), default=0
        )
        if state[0] == "wrapup" and wrapped and back_at - wrapped[-1] >= WRAPUP:
            continue  # its wrap-up time ran out while the agency was away
        seen = [t for t, _ in stats.history.get(agent, []) if t < facts["t0"]]
        if came_back[0] == "ready" and stats.ready_sent.get(agent, 0) > max(seen, default=0):
            continue  # its Ready reached the agency before the kill, the answer did not come back
        changed.append(f"{agent}: {state} -> {came_back}")
    return changed


# --- db-stop --------------------------------------------------------------------------------


def db_stop(run: Run) -> None:
    from testkit.mariadb import halt_mariadb, restart_mariadb, stop_mariadb

    checks: list[Check] = []
    answers: list[tuple[str, int, str]] = []
    proc, server = run.site.mariadb  # type: ignore[misc]

    def fault() -> dict[str, float]:
        started = utc_now()
        halt_mariadb(proc)
        t0 = time.monotonic()
        while time.monotonic() - t0 < run.args.db_down:
            answers.append(("page", *run.admin.page()))
            answers.append(("unit API", *run.admin.unit_api()))
            time.sleep(5)
        again = restart_mariadb(proc, server)
        run.parts.callback(stop_mariadb, again, server)
        run.site.mariadb = (again, server)
        run.sampler.pids["mariadb"] = again.pid
        t_db = time.monotonic()
        t_admin = wait(
            lambda: run.admin.page()[0] == 200 and run.admin.unit_api()[0] == 200, 120, 0.5
        )
        t_flushed = wait(lambda: run.agency_status()["records"]["pending"] == 0, 120, 0.5)
        run.windows["db-stop"] = (started, utc_now())
        kinds = sorted({(what, status, text) for what, status, text in answers})
        clear = all(status == 503 for _, status, _ in answers)
        checks.append(
            Check(
                "admin answers with a clear error meanwhile",
                clear,
                "; ".join(f"{w}: {s} {t!r}" for w, s, t in kinds)[:400],
            )
        )
        checks.append(
            Check(
                "admin recovers by itself",
                t_admin is not None,
                "never" if t_admin is None else f"{t_admin - t_db:.1f} s after MariaDB is back",
            )
        )
        status = run.agency_status()["records"]
        checks.append(
            Check(
                "agency's owed records written",
                t_flushed is not None and status["dropped"] == 0,
                f"pending 0 {'never' if t_flushed is None else f'{t_flushed - t_db:.1f} s'}"
                f" after MariaDB is back; {status['retries']} retries, {status['dropped']} dropped",
            )
        )
        return {"t0": t0, "back": t_db, "recovered": t_db}

    moments, calls = under_load(run, run.args.before + run.args.db_down + run.args.after, fault)
    during = answered_after(run, calls, moments["t0"], moments["back"])
    checks.append(Check("calls answered while MariaDB is down", during.passed, during.figure))
    checks.append(answered_after(run, calls, moments["back"]))
    run.tables.append((f"MariaDB stopped for {run.args.db_down:g} s", checks))


# --- the end: intervals ---------------------------------------------------------------------


def finish(run: Run) -> None:
    """Log everyone out, wait for the agency's records, audit every operator's intervals."""
    run.crowd.stop()
    wait(lambda: run.agency_status()["operators"] == 0, 60, 0.5)
    wait(lambda: run.agency_status()["records"]["pending"] == 0, 60, 0.5)
    with run.site.database.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, agent, state, started_at, ended_at FROM agency_interval")
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    dump = {
        "rows": [{k: str(v) for k, v in r.items()} for r in rows],
        "history": run.stats.history,
    }
    (run.parts.workdir / "intervals.json").write_text(json.dumps(dump, default=str, indent=1))
    owed = {a: run.stats.transitions(a) + 1 for a in run.interfaces}  # + the logout's
    whole = audit_intervals(rows, owed, None)
    for agent in run.interfaces:  # where an operator's rows and its terminal part ways
        seen = [tracked[1] for _, tracked in run.stats.history.get(agent, [])]
        written = [
            r["state"]
            for r in sorted(rows, key=lambda r: (r["started_at"], r["id"]))
            if r["agent"] == agent
        ]
        if seen != written:
            at = next(
                (i for i, (a, b) in enumerate(zip(seen, written, strict=False)) if a != b),
                min(len(seen), len(written)),
            )
            near = slice(max(0, at - 3), at + 3)
            print(f"  {agent} from change {at}: terminal {seen[near]}, rows {written[near]}")
    checks = [
        Check(
            "intervals: none lost (no gap in any operator's chain)",
            whole.lost == 0,
            f"{whole.lost} gaps {[e for e in whole.examples or [] if 'gap' in e][:2]}",
        ),
        Check("intervals: none duplicated", whole.duplicated == 0, f"{whole.duplicated}"),
        Check(
            "intervals: rows = changes the terminals saw + logout",
            whole.rows == whole.owed,
            f"{whole.rows} rows, {whole.owed} owed; operators short {whole.agents_short},"
            f" long {whole.agents_long} {[e for e in whole.examples or [] if 'owed' in e][:3]}",
        ),
    ]
    if "db-stop" in run.windows:
        outage = audit_intervals(rows, owed, run.windows["db-stop"])
        checks.append(
            Check(
                "intervals of the MariaDB outage: none lost, none duplicated",
                outage.lost == 0 and outage.duplicated == 0,
                f"{outage.lost} gaps, {outage.duplicated} overlaps",
            )
        )
    run.tables.append(("every operator's time intervals (after all faults)", checks))


RUNNERS: dict[str, Callable[[Run], None]] = {
    "asterisk-restart": asterisk_restart,
    "agency-kill": agency_kill,
    "db-stop": db_stop,
}


if __name__ == "__main__":
    main()
