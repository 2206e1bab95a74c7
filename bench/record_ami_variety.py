"""Record a second real Asterisk 22 AMI stream, with variety, for bench/ami_ingest.py and the
fan-out benchmark's player (``bench/fanout``).

As ``bench/record_ami_stream.py`` (the same unit, queue ``support`` with five Local-channel
agents, a carrier placing the calls, every byte the unit's AMI sends written gzipped after the
banner line), plus:

- callers with Cyrillic names (``"Иванов Пётр" <7916...>``);
- abandons: every sixth call goes to topic 7300, queue ``sales``, whose one member rings and
  never answers (AgentRingNoAnswer); the caller hangs up after a few seconds in the queue
  (QueueCallerAbandon);
- transfers: every fifth support call, once an agent answered, is blind-transferred
  (``BlindTransfer`` of the agent's channel) to topic 7200, where the queue rings another agent;
- PJSIP registrations: ten phones (SIPp, as the workplaces' phones register) register to
  endpoints 301-310 again and again during the calls (ContactStatus, PeerStatus,
  DeviceStateChange).

Needs root (the PBX fixtures). Run: ``.venv/bin/python bench/record_ami_variety.py --calls 250``
"""

from __future__ import annotations

import argparse
import gzip
import secrets
import subprocess
import threading
import time
from pathlib import Path

from bench.record_ami_stream import AGENTS, UNIT_FILES, record
from testkit.pbx import BUILD_SCRIPT
from testkit.pbx_carrier import Carrier
from testkit.pbx_configs import CARRIER_EXTENSIONS
from testkit.pbx_unit import AsteriskUnit
from testkit.phone import WorkplacePhone

OUT = Path(__file__).parent / "data" / "ami-variety.bin.gz"
NAMES = (
    "Иванов Пётр",
    "Смирнова Анна Сергеевна",
    "Кузнецов Дмитрий",
    "Попова Алёна",
    "Соколов Илья",
    "Лебедева Мария",
    "Новиков Андрей Юрьевич",
    "Морозова Юлия",
    "Щербаков Фёдор",
    "ООО «Ромашка»",
)
PHONES = tuple(str(301 + i) for i in range(10))
SALES = (
    "[sales]\nstrategy = ringall\ntimeout = 3\nretry = 1\nringinuse = no\nwrapuptime = 0\n"
    "announce-position = no\nmember => Local/106@slow/n,0,106\n"
)
SLOW = """
[slow]
exten => _1XX,1,Ringing()
 same => n,Wait(60)
 same => n,Hangup()
"""


def phones_config(secret: str) -> str:
    return "".join(
        f"\n[{n}]\ntype = endpoint\ncontext = agents\ndisallow = all\nallow = ulaw\n"
        f"auth = {n}\naors = {n}\n\n[{n}]\ntype = aor\nmax_contacts = 1\n"
        f"remove_existing = yes\n\n[{n}]\ntype = auth\nauth_type = userpass\n"
        f"username = {n}\npassword = {secret}\n"
        for n in PHONES
    )


def unit_files(carrier: Carrier, secret: str) -> dict[str, str]:
    files = dict(UNIT_FILES)
    files["queues.d/sales.conf"] = SALES
    recorded = UNIT_FILES["extensions.d/callcenter.conf"]
    inbound = recorded.replace(
        "Queue(support,", 'Queue(${IF($["${EXTEN}" = "7300"]?sales:support)},'
    )
    if inbound == recorded:
        raise RuntimeError("record_ami_stream.py's dialplan changed: route 7300 to sales again")
    files["extensions.d/callcenter.conf"] = inbound + SLOW
    files["pjsip.d/carrier.conf"] = carrier.unit_trunk_config()
    files["pjsip.d/phones.conf"] = phones_config(secret)
    return files


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
    secret = secrets.token_hex(8)
    unit = AsteriskUnit(rootfs, "variety", unit_files(carrier, secret))
    try:
        unit.start()
        carrier.point_at(unit)
        chunks: list[bytes] = []
        stop, ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=record, args=(unit, chunks, stop, ready), daemon=True)
        thread.start()
        ready.wait(10)
        registering = threading.Thread(target=register_phones, args=(unit, secret, stop))
        registering.start()
        run_calls(unit, carrier, args.calls, args.parallel)
        time.sleep(3)
        stop.set()
        registering.join(60)
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


def register_phones(unit: AsteriskUnit, secret: str, stop: threading.Event) -> None:
    """The phones register one after the other, round after round, until ``stop``."""
    while not stop.is_set():
        for number in PHONES:
            phone = WorkplacePhone(unit.sip_host, unit.sip_port, number, secret)
            try:
                phone.register()
            finally:
                phone.close()
            if stop.wait(0.5):
                return


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
            name = NAMES[number % len(NAMES)]
            caller = f"7916{number:07d}"
            abandon = number % 6 == 5
            topic = "7300" if abandon else f"7{number % 3}00"
            mark = ami.mark()
            active.append(
                carrier.start_call(
                    topic, caller_id=f'"{name}" <{caller}>', hold=4 if abandon else 30
                )
            )
            if not abandon and number % 5 == 2:
                transfer(ami, caller, mark)
            if len(active) >= parallel:
                active.pop(0).wait_ended(60)
        for call in active:
            call.wait_ended(60)
        ami.action("QueueStatus")
        ami.action("CoreShowChannels")


def transfer(ami: object, caller: str, mark: int) -> None:
    """The agent who answers ``caller`` transfers the call (blind) to topic 7200."""
    connect = ami.wait_event(  # type: ignore[attr-defined]
        lambda e: e.name == "AgentConnect" and e.get("CallerIDNum") == caller, 30, since=mark
    )
    ami.action(  # type: ignore[attr-defined]
        "BlindTransfer", Channel=connect["DestChannel"], Context="from-carrier", Exten="7200"
    )


if __name__ == "__main__":
    main()
