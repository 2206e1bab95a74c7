"""Record a real Asterisk 22 call-center AMI stream for the parser tests and bench/ami_ingest.py.

Starts a unit (queue ``support`` with five Local-channel agents that answer and talk a second
or two) and a carrier from the test fixtures, places ``--calls`` inbound calls a few at a time,
and writes every byte the unit's AMI sends to ``--out`` (gzip), after the banner line. Also
toggles members' pause with reasons, as the agency would. Needs root (the PBX fixtures).

Run: ``.venv/bin/python bench/record_ami_stream.py --calls 250``
"""

from __future__ import annotations

import argparse
import gzip
import socket
import subprocess
import threading
import time
from pathlib import Path

from appliance.ami.codec import encode_action
from testkit.pbx import BUILD_SCRIPT
from testkit.pbx_carrier import Carrier
from testkit.pbx_configs import CARRIER_EXTENSIONS
from testkit.pbx_unit import AsteriskUnit

OUT = Path(__file__).parent / "data" / "ami-callcenter.bin.gz"
AGENTS = ("101", "102", "103", "104", "105")

UNIT_FILES = {
    "queues.d/support.conf": "[support]\nstrategy = rrmemory\ntimeout = 10\nretry = 1\n"
    "ringinuse = no\nwrapuptime = 0\nannounce-position = no\n",
    "extensions.d/callcenter.conf": """\
[from-carrier]
exten => _X.,1,NoOp(inbound topic ${EXTEN})
 same => n,Set(UZOR_TOPIC=${EXTEN})
 same => n,Set(UZOR_SCRIPT=https://crm.example/script?topic=${EXTEN})
 same => n,Set(UZOR_HIDDEN=0)
 same => n,Set(CDR(userfield)=topic-${EXTEN})
 same => n,Set(__UZOR_CALLER=${CALLERID(num)})
 same => n,Set(__UZOR_TOPIC_NAME=Support line ${EXTEN})
 same => n,Set(__UZOR_GROUP=support)
 same => n,Set(CHANNEL(language)=ru)
 same => n,Set(UZOR_SCHEDULE=working)
 same => n,Set(UZOR_GREETING=greeting-${EXTEN})
 same => n,Answer()
 same => n,Queue(support,t,,,60)
 same => n,Hangup()

[agents]
exten => _1XX,1,Answer()
 same => n,Set(TALK=${RAND(1,2)})
 same => n,Set(UZOR_AGENT=${EXTEN})
 same => n,Set(UZOR_ANSWERED=${EPOCH})
 same => n,Wait(${TALK})
 same => n,Hangup()
""",
}


def record(
    unit: AsteriskUnit, out: list[bytes], stop: threading.Event, ready: threading.Event
) -> None:
    host, port, user, secret = unit.ami_host, unit.ami_port, unit.ami_user, unit.ami_secret
    with socket.create_connection((host, port)) as sock:
        sock.settimeout(0.5)
        banner = b""
        while not banner.endswith(b"\r\n"):
            banner += sock.recv(1)
        login = {"Action": "Login", "Username": user, "Secret": secret, "Events": "on"}
        sock.sendall(encode_action(login))  # then raw bytes: the recording is the point
        ready.set()
        while not stop.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return
            out.append(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=250)
    parser.add_argument("--parallel", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    build = subprocess.run([str(BUILD_SCRIPT)], capture_output=True, text=True, check=True)
    rootfs = Path(build.stdout.strip().splitlines()[-1])
    carrier_unit = AsteriskUnit(rootfs, "carrier", {"extensions.conf": CARRIER_EXTENSIONS})
    carrier_unit.start()
    carrier = Carrier(carrier_unit)
    unit = AsteriskUnit(
        rootfs, "callcenter", {**UNIT_FILES, "pjsip.d/carrier.conf": carrier.unit_trunk_config()}
    )
    try:
        unit.start()
        carrier.point_at(unit)
        chunks: list[bytes] = []
        stop, ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=record, args=(unit, chunks, stop, ready), daemon=True)
        thread.start()
        ready.wait(10)
        run_calls(unit, carrier, args.calls, args.parallel)
        time.sleep(3)
        stop.set()
        thread.join(5)
        data = b"".join(chunks)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(gzip.compress(data, 9))
        events = data.count(b"\r\nEvent: ") + data.startswith(b"Event: ")
        print(f"recorded {len(data)} bytes, {events} events -> {args.out}")
    finally:
        carrier.close()
        unit.stop()
        carrier_unit.stop()
        unit.remove()
        carrier_unit.remove()


def run_calls(unit: AsteriskUnit, carrier: Carrier, calls: int, parallel: int) -> None:
    with unit.ami() as ami:
        for agent in AGENTS:
            ami.action(
                "QueueAdd",
                Queue="support",
                Interface=f"Local/{agent}@agents/n",
                MemberName=agent,
                Penalty="0",
            )
        active = []
        for number in range(calls):
            active.append(
                carrier.start_call(
                    f"7{number % 3}00", caller_id=f'"Caller {number}" <7916{number:07d}>', hold=30
                )
            )
            if number % 25 == 10:
                agent = AGENTS[number % len(AGENTS)]
                ami.action(
                    "QueuePause",
                    Queue="support",
                    Interface=f"Local/{agent}@agents/n",
                    Paused="true",
                    Reason="wrapup",
                )
                ami.action(
                    "QueuePause",
                    Queue="support",
                    Interface=f"Local/{agent}@agents/n",
                    Paused="false",
                )
            if len(active) >= parallel:
                active.pop(0).wait_ended(60)
        for call in active:
            call.wait_ended(60)
        ami.action("QueueStatus")
        ami.action("CoreShowChannels")


if __name__ == "__main__":
    main()
