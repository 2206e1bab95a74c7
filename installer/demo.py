"""`make demo` and `make demo-stop`: a demo appliance in a booted Debian 12 container.

up:   build the bundle with a demo vendor key (kept in /var/cache/uzor/demo-vendor, never in
      git), boot a fresh Debian 12 root under systemd-nspawn, run the .run inside with an
      answers file, sign a demo license for the container's server ID, seed the manual's
      walkthrough objects, print the admin URL with its credentials.
down: power the container off and delete it.

The container shares the host's network: the demo answers on the host's :80/:443 (and MariaDB
on 127.0.0.1:3306), so those ports must be free."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from installer import demo_pbx
from testkit import appliance, walkthrough
from testkit.target import (
    CACHE,
    SHARED_PORTS,
    Target,
    TargetError,
    attach,
    busy_ports,
    start_detached,
    stop_and_remove,
)

REPO = Path(__file__).resolve().parents[1]
STATE_DIR = REPO / "demo"
STATE = STATE_DIR / "state.json"
CREDENTIALS = STATE_DIR / "credentials.txt"
WORK = Path("/var/tmp/uzor-demo")  # noqa: S108 - root-owned, fixed on purpose: demo-stop finds it
VENDOR_DIR = CACHE / "demo-vendor"
PBX_WORK = Path("/var/tmp/uzor-demo-pbx")  # noqa: S108 - root-owned, fixed: demo-stop finds it
# what installer/demo_seed.py creates: the walkthrough's operator and workplace
OPERATOR, OPERATOR_PASSWORD = walkthrough.OPERATOR, walkthrough.OPERATOR_PASSWORD
WORKPLACE_MAC = walkthrough.WORKPLACE_MAC.replace("-", "").lower()  # as the admin stores it


def say(text: str) -> None:
    print(f"demo: {text}", flush=True)


def demo_vendor_key() -> Path:
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE / "demo-vendor.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key = VENDOR_DIR / "vendor.key"
        if not key.exists():
            uzor_license = REPO / ".venv/bin/uzor-license"
            subprocess.run([str(uzor_license), "keygen", "--out", str(VENDOR_DIR)], check=True)
        return key


def build_bundle(key: Path) -> Path:
    say("building the bundle (installer/build_run.sh)")
    result = subprocess.run(
        [str(REPO / "installer/build_run.sh"), "--vendor-key", str(key)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"demo: building the bundle failed:\n{result.stderr[-3000:]}")
    print(result.stdout.strip().splitlines()[-1])
    return max((REPO / "dist").glob("uzor_*.run"), key=lambda run: run.stat().st_mtime)


def running_demo() -> bool:
    if not STATE.exists():
        return False
    return attach(json.loads(STATE.read_text())["target"]).alive


def save_state(**changes: object) -> None:
    state = json.loads(STATE.read_text()) if STATE.exists() else {}
    state.update(changes)
    STATE_DIR.mkdir(exist_ok=True)
    STATE.write_text(json.dumps(state))


def install(run: Path, key: Path) -> appliance.Credentials:
    target = start_detached("uzor-demo", WORK)
    save_state(target=target.state(), work=str(WORK))
    superuser = appliance.Credentials("root", secrets.token_urlsafe(10))
    say("installing the bundle in the container (a few minutes on a cold apt cache)")
    answers = appliance.put_answers(target, superuser)
    print(appliance.run_bundle(target, run, "--answers", answers).stdout)
    say("signing a demo license for the container's server ID")
    license_file = appliance.sign_license_for(target, key, WORK / "license.key", "Uzor demo")
    print(appliance.install_license(target, license_file, superuser))
    say("seeding the manual's walkthrough objects")
    admin_password = secrets.token_urlsafe(10)
    print(seed_walkthrough(target, admin_password))
    write_credentials(superuser, admin_password)
    say("PBX unit pbx1: Asterisk 22 (sid root) + uzor-pbx from the bundle, then Apply Dialplan")
    pbx: dict[str, object] = {"root": str(PBX_WORK / "root"), "work": str(PBX_WORK)}
    save_state(pbx=pbx)
    try:
        print(demo_pbx.up(target, run, PBX_WORK, pbx))
    finally:
        save_state(pbx=pbx)
    return superuser


def seed_walkthrough(target: Target, admin_password: str) -> str:
    """The manual's walkthrough objects (installer/demo_seed.py), among them operator 101
    (password OPERATOR_PASSWORD, group sales) and workplace 1 (MAC WORKPLACE_MAC)."""
    result = target.run(
        ["uzor-admin", "shell", "--no-imports", "-c", appliance.walkthrough_seed()],
        env={"UZOR_DEMO_ADMIN_PASSWORD": admin_password},
    )
    return result.stdout.strip()


def agent_url(address: str) -> str:
    return f"https://{address}/agent/?host={WORKPLACE_MAC}"


def write_credentials(superuser: appliance.Credentials, admin_password: str) -> None:
    text = (
        f"superuser: {superuser.username} / {superuser.password}\n"
        f"walkthrough user (callcenter only): admin / {admin_password}\n"
        f"operator {OPERATOR}: password {OPERATOR_PASSWORD}\n"
    )
    CREDENTIALS.write_text(text)
    CREDENTIALS.chmod(0o600)


def summary() -> None:
    address = appliance.server_address()
    print(
        f"\nUzor demo is running.\n  Admin:  https://{address}/admin/"
        "  (also https://127.0.0.1/admin/; a self-signed certificate)\n"
        f"  Operator workplace 1: {agent_url(address)}\n"
        f"    log in as agent {OPERATOR}, password {OPERATOR_PASSWORD} (group sales, topic 1000)\n"
        + "".join(f"  {line}\n" for line in CREDENTIALS.read_text().splitlines())
        + "  PBX unit pbx1: Asterisk in a sid chroot on this host (SIP :5060, AMI :5038)\n"
        f"  Credentials are kept in {CREDENTIALS.relative_to(REPO)}.\n"
        "  Stop and remove it: make demo-stop"
    )


def remove_leftovers() -> None:
    """A demo whose state was lost (e.g. `make clean`): unmount and delete its overlay."""
    if PBX_WORK.exists():
        demo_pbx.down({"root": str(PBX_WORK / "root"), "work": str(PBX_WORK)})
    if WORK.exists():
        subprocess.run(["umount", str(WORK / "root")], capture_output=True, check=False)
        shutil.rmtree(WORK)


def up() -> None:
    if running_demo():
        say("already running")
        summary()
        return
    busy = busy_ports()
    if busy:
        sys.exit(f"demo: ports {busy} are taken on this host; it needs {list(SHARED_PORTS)} free")
    remove_leftovers()
    key = demo_vendor_key()
    run = build_bundle(key)
    try:
        install(run, key)
    except (TargetError, RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(
            f"demo: {exc}\nThe container is left running for a look; `make demo-stop` removes it."
        )
    summary()


def down() -> None:
    if not STATE.exists():
        say("no demo is running")
        return
    state = json.loads(STATE.read_text())
    if "pbx" in state:
        demo_pbx.down(state["pbx"])
    stop_and_remove(attach(state["target"]), Path(state["work"]))
    STATE.unlink()
    CREDENTIALS.unlink(missing_ok=True)
    say("stopped and removed")


def main() -> None:
    parser = argparse.ArgumentParser(prog="installer.demo", description=__doc__)
    parser.add_argument("action", choices=["up", "down"])
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("demo: run as root (it boots a container with systemd-nspawn)")
    up() if args.action == "up" else down()


if __name__ == "__main__":
    main()
