"""The installed agency's surroundings for the fan-out benchmark, made of real parts.

- a throwaway MariaDB with the durability settings of an installed appliance
  (``start_mariadb(as_installed=True)``), the admin's schema migrated into it;
- the call center in the admin's tables: ``count`` operators (agent ``1000 + i``) in group
  ``support``, as many workplaces (number ``20000 + i``), the recorded streams' inbound topics,
  and PBX unit ``pbx1`` whose AMI address is the benchmark's AMI player;
- ``uzor-agency`` started as its systemd unit starts it: ``python -m appliance.agency.main
  --config <instance>.yaml`` with the file the configurator writes (its template, rendered) and
  a real license; ``conf.d/`` holds the one change a site this large makes (``acp.max_clients``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "fanout-bench-pass"  # noqa: S105 - throwaway benchmark operators
AMI_USER, AMI_SECRET = "uzor-agency", "fanout-bench-ami"  # the player accepts any
TOPICS = ("7000", "7100", "7200")  # the recorded streams' inbound numbers (record_ami_stream.py)
GROUP = "support"  # the recorded streams' queue
WRAPUP = 5  # seconds of wrap-up after each answered call, as a real group has


def agent(i: int) -> str:
    return f"{1000 + i}"


def workplace(i: int) -> str:
    return f"{20000 + i}"


def mac(i: int) -> str:
    return f"{0x020000000000 + i:012x}"


def address(i: int) -> str:
    """Terminal i's PC address, as nginx passes it on (X-Real-IP): one PC per workplace."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


@dataclass
class Site:
    agency_pid: int
    url: str  # the agency's HTTP base (ws at /ws)
    log: Path
    database: Any


def load_model(count: int, probes: int, ami_port: int) -> None:
    """``count + probes`` operators and workplaces, the topics and the unit, in the admin's
    tables. The ``count`` terminals' operators have a password hashed with few PBKDF2
    iterations (thousands of logins would otherwise take many minutes of CPU before the
    measurement starts); the ``probes``' have the admin's own hash, so the login latency
    measured with them is an installed one's."""
    from appliance.admin.callcenter.models import (
        Group,
        InboundTopic,
        Membership,
        Operator,
        PbxUnit,
        Workplace,
    )
    from appliance.contracts.passwords import hash_password

    group = Group.objects.create(name=GROUP, answer_timeout=15, strategy="rrmemory")
    cheap = hash_password(PASSWORD, iterations=1000)
    hashed = Operator(agent_number="100")
    hashed.set_password(PASSWORD)  # as the admin stores it
    operators = Operator.objects.bulk_create(
        [
            Operator(
                agent_number=agent(i),
                password=cheap if i < count else hashed.password,
                wrapup_time=WRAPUP,
            )
            for i in range(count + probes)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(operator=o, group=group) for o in operators], batch_size=1000
    )
    Workplace.objects.bulk_create(
        [Workplace(number=workplace(i), mac=mac(i)) for i in range(count + probes)],
        batch_size=1000,
    )
    for number in TOPICS:
        InboundTopic.objects.create(number=number, name=f"Line {number}", group=group)
    pbx = PbxUnit(name="pbx1", address="127.0.0.1", ami_port=ami_port)
    pbx.ami_user, pbx.ami_secret = AMI_USER, AMI_SECRET
    pbx.save()


def write_config(workdir: Path, database: Any, clients: int) -> Path:
    """The configurator's agency file for instance 1, and conf.d/ with max_clients raised."""
    from configurator.core.templates import render
    from testkit.agency import make_license, secret_file

    license_path, public_keys = make_license(workdir, max_operators=clients, max_pbx_units=1)
    paths = SimpleNamespace(
        agency_db_password_file=str(secret_file(workdir, "db_password", database.password)),
        agency_token_file=str(secret_file(workdir, "api_token", secrets.token_urlsafe(24))),
        license_file=str(license_path),
        public_keys=str(public_keys),
        # no wallboard in this bench: a key file that is absent refuses every wallboard
        agency_supervisor_key_file=str(workdir / "supervisor_key.pub"),
    )
    db = SimpleNamespace(
        name=database.name, user=database.user, host=database.host, port=database.port, socket=None
    )
    config = workdir / "1.yaml"
    config.write_text(render("agency.yaml.j2", instance=1, language="en", db=db, paths=paths))
    conf_d = workdir / "conf.d"
    conf_d.mkdir(exist_ok=True)
    port = _free_port()
    (conf_d / "bench.yaml").write_text(
        "# the benchmark's changes: the site's size, and a free port instead of 8765\n"
        + yaml.safe_dump({"acp": {"max_clients": clients}, "listen": {"port": port}})
    )
    return config


def _free_port() -> int:
    from testkit.tools import free_port

    return int(free_port())


@contextlib.contextmanager
def running_agency(workdir: Path, config: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``uzor-agency --config FILE`` as the systemd unit runs it; its URL once it listens."""
    from appliance.agency.config import load_config

    port = load_config(config, []).listen.port
    log = workdir / "agency.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "appliance.agency.main", "--config", str(config)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_listening(process, port, log)
        yield process, url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _wait_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uzor-agency exited {process.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"uzor-agency did not listen within 60 s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
