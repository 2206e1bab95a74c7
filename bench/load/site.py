"""The two systems the harness loads, each with its own PBX unit, the same carrier and the same
operator farm:

- ``uzor``: a unit configured only by the admin's Apply Dialplan (N operators in one group,
  N workplaces, an inbound topic reached by a DID through the carrier's gateway and a
  transformation), the real agency (``python -m appliance.agency.main``) on the real MariaDB,
  and N simulated operators logged in over ACP;
- ``baseline``: a unit with a minimal hand-written dialplan (DID -> ``Queue()``) whose queue
  holds the same workplaces as static members, with the same wrap-up; no agency, no admin.

Everything listens on loopback only.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load.farm import Phone, farm_extensions, farm_pjsip, farm_transports, registered

REPO = Path(__file__).resolve().parents[2]
# Each unit's RTP range, in ports: two per call leg's media (RTP, RTCP). The unit under load
# carries two legs per answered call (the carrier's, the operator's phone's) and one per caller
# waiting or operator's phone ringing; the test kit's default (200 ports: 100 legs) ran out
# at ~45 answered calls, and the unit refused the next caller with 488 Not Acceptable Here
# ("Oh dear... we couldn't allocate a port for RTP instance"). An installed unit has Debian's
# rtp.conf, 10000-20000 (5,000 legs). 4,000 ports: 2,000 legs, a 400-operator shift talking
# at 50 calls/s with as many callers waiting or ringing.
LOAD_RTP_PORTS = 4000
DID = "74951234567"
TOPIC = "74950000001"
PASSWORD = "load-test-pass"  # noqa: S105


def pbx_rootfs() -> Path:
    script = REPO / "scripts" / "build-pbx-rootfs.sh"
    out = subprocess.run([str(script)], capture_output=True, text=True, check=True).stdout
    return Path(out.strip().splitlines()[-1])


def mac_of(index: int) -> str:
    return "02-00-" + "-".join(f"{b:02X}" for b in index.to_bytes(4, "big"))


@dataclass
class Operators:
    phones: list[Phone]
    macs: list[str]
    agents: list[str]


@dataclass
class UzorSite:
    unit: Any
    agency: Any
    mariadb_pid: int
    operators: Operators
    mariadb: tuple[Any, Any] | None = None  # (process, server): the faults stop and start it
    database: Any = None  # the admin's and the agency's database on it
    admin_url: str = ""  # the admin over HTTPS
    confgen_token: str = ""  # the unit's token for the admin's confgen API
    admin_ca: str = ""  # the admin's self-signed certificate (PEM), to verify it


class Parts(contextlib.ExitStack):
    """Everything started, stopped in reverse order on exit."""

    def __init__(self, workdir: Path) -> None:
        super().__init__()
        self.workdir = workdir
        self.rootfs = pbx_rootfs()

    def unit(self, name: str, files: dict[str, str] | None = None, start: bool = True) -> Any:
        from testkit.pbx_unit import AsteriskUnit

        unit = AsteriskUnit(self.rootfs, name, files or {}, rtp_ports=LOAD_RTP_PORTS)
        self.callback(self.keep_logs_and_remove, unit)
        if start:
            unit.start()
        return unit

    def keep_logs_and_remove(self, unit: Any) -> None:
        """Stop the unit, keep its logs under the work directory (``pbx-<name>/``: Asterisk's
        log, the console, and for a confgen unit confgen's log), delete the rest."""
        unit.stop()
        kept = self.workdir / f"pbx-{unit.name}"
        if unit.log_dir.exists():  # not removed already (the baseline's farm is)
            shutil.copytree(unit.log_dir, kept, dirs_exist_ok=True)
        confgen_log = unit.base / "lib" / "uzor-confgen" / "confgen.log"
        if confgen_log.exists():
            shutil.copy2(confgen_log, kept / "confgen.log")
        unit.remove()

    def carrier(self) -> Any:
        from testkit.pbx_carrier import Carrier
        from testkit.pbx_configs import CARRIER_EXTENSIONS

        carrier = Carrier(self.unit("carrier", {"extensions.conf": CARRIER_EXTENSIONS}))
        self.callback(carrier.close)
        return carrier

    def farm(self, phones: list[Phone], target: Any, talk: float) -> Any:
        files = {
            "pjsip.d/farm.conf": farm_pjsip(phones, target.sip_host, target.sip_port),
            "extensions.d/farm.conf": farm_extensions(talk),
        }
        farm = self.unit("farm", files, start=False)
        farm.write_config("pjsip_transports.conf", farm_transports(farm.sip_port))
        farm.start()
        wait_registered(target, phones)
        return farm

    def mariadb(self) -> Any:
        from testkit.mariadb import start_mariadb, stop_mariadb

        proc, server = start_mariadb()
        self.callback(stop_mariadb, proc, server)
        return proc, server


def wait_registered(unit: Any, phones: list[Phone], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        count = registered(unit.cli("pjsip show contacts"), phones)
        if count == len(phones):
            return
        time.sleep(1)
    raise RuntimeError(
        f"only {count} of {len(phones)} farm phones registered; the unit's log:\n"
        + unit.log_tail(30)
    )


# --- uzor: the admin, Apply Dialplan, the agency ---


def build_uzor(parts: Parts, carrier: Any, count: int, wrapup: int) -> UzorSite:
    """The admin's model for ``count`` operators, applied on a fresh unit; the agency started."""
    proc, server = parts.mariadb()
    database = server.create_database()
    django_on(database)
    operators = _load_model(parts.workdir, carrier, count, wrapup)
    from appliance.admin.callcenter.apply import apply_dialplan
    from testkit.dialplan import AdminServer, make_confgen_unit

    admin = AdminServer()
    parts.callback(admin.stop)
    # as the tests' units: the admin and the agency use the AMI users uzor-pbx-setup writes
    # (their packaged rights and event filter), so the agency gets an installed one's events
    confgen = make_confgen_unit(
        lambda files, name, start: parts.unit(name, files, start), admin, "pbx1"
    )
    unit, token = confgen.asterisk, confgen.token
    carrier.point_at(unit)
    results = apply_dialplan()
    if not all(r.ok for r in results):
        raise RuntimeError(f"Apply Dialplan failed: {results}")
    agency = _start_agency(parts, database, count)
    admin_url = f"https://127.0.0.1:{admin.port}"
    return UzorSite(
        unit, agency, proc.pid, operators, (proc, server), database, admin_url, token, admin.ca_pem
    )


def django_on(database: Any) -> None:
    """Django's models on ``database`` (a throwaway MariaDB), migrated."""
    from testkit.admin import configure_django

    configure_django(test_environment=False)
    from django.core.management import call_command
    from django.db import connections

    connections["default"].settings_dict.update(
        NAME=database.name,
        USER=database.user,
        PASSWORD=database.password,
        HOST=database.host,
        PORT=str(database.port),
    )
    call_command("migrate", verbosity=0, interactive=False)


def _load_model(workdir: Path, carrier: Any, count: int, wrapup: int) -> Operators:
    from appliance.admin.callcenter.models import (
        Context,
        Gateway,
        Group,
        InboundTopic,
        Membership,
        Operator,
        Transformation,
        Workplace,
    )

    group = Group.objects.create(name="load", answer_timeout=15, strategy="rrmemory")
    hashed = Operator(agent_number="100")
    hashed.set_password(PASSWORD)  # one hash for all: the bench does not measure PBKDF2
    agents = [f"{1000 + i}" for i in range(count)]
    operators = Operator.objects.bulk_create(
        [Operator(agent_number=a, password=hashed.password, wrapup_time=wrapup) for a in agents]
    )
    Membership.objects.bulk_create([Membership(operator=o, group=group) for o in operators])
    macs = [mac_of(i) for i in range(count)]
    workplaces = [
        Workplace.objects.create(number=f"{20000 + i}", mac=macs[i]) for i in range(count)
    ]
    context = Context.objects.create(name="from-carrier")
    Gateway.objects.create(
        name="carrier",
        context=context,
        host=carrier.unit.sip_host,
        port=carrier.sip_port,
        did=DID,
    )
    Transformation.objects.create(context=context, pattern=DID, result=TOPIC)
    InboundTopic.objects.create(number=TOPIC, name="Load line", group=group)
    phones = [Phone(w.number, w.sip_secret) for w in workplaces]
    return Operators(phones, macs, agents)


def _start_agency(parts: Parts, database: Any, count: int) -> Any:
    from testkit.agency import make_license, write_agency

    workdir = Path(tempfile.mkdtemp(prefix="uzor-load-agency-", dir=parts.workdir))
    agency = write_agency(workdir, database, make_license(workdir, max_operators=count + 10))
    agency.start()
    parts.callback(agency.stop)
    return agency


# --- baseline: a minimal hand-written dialplan ---


def baseline_files(phones: list[Phone], carrier: Any, wrapup: int) -> dict[str, str]:
    """DID -> Queue() -> the same workplaces (webrtc endpoints), static members; ``autofill``
    as any real queue has it (without it a queue rings for one waiting caller at a time)."""
    endpoints = "".join(
        f"""
[{p.number}]
type = endpoint
context = nowhere
disallow = all
allow = opus,ulaw
webrtc = yes
direct_media = no
auth = {p.number}
aors = {p.number}

[{p.number}]
type = aor
max_contacts = 1
remove_existing = yes

[{p.number}]
type = auth
auth_type = userpass
username = {p.number}
password = {p.secret}
"""
        for p in phones
    )
    members = "".join(f"member => PJSIP/{p.number}\n" for p in phones)
    return {
        "pjsip.d/carrier.conf": carrier.unit_trunk_config(),
        "pjsip.d/workplaces.conf": endpoints,
        "queues.d/load.conf": (
            f"[load]\nstrategy = rrmemory\ntimeout = 15\nretry = 1\nwrapuptime = {wrapup}\n"
            f"ringinuse = no\nautofill = yes\n{members}"
        ),
        "extensions.d/load.conf": (
            f"[from-carrier]\nexten => {DID},1,Answer()\n same => n,Queue(load)\n"
            " same => n,Hangup()\n"
        ),
    }
