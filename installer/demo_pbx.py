"""The demo's PBX unit: Asterisk 22 from the cached Debian sid root (the PBX fixtures' build
script), its glue installed from the same bundle with `--role pbx`, registered in the demo
admin, Asterisk started, Apply Dialplan run on it and nginx's /sip/pbx1 proxy written (the
agency connects to the new unit by itself, without a restart).

Debian 12 has no Asterisk and sid's systemd does not boot here, so the unit is a chroot (an
overlay of the cached root) and Asterisk runs in the foreground there, detached from `make`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from testkit.appliance import RUN_INSIDE
from testkit.target import (
    Target,
    mount_chroot,
    overlay_root,
    run_in_chroot,
    unmount_chroot,
)

REPO = Path(__file__).resolve().parents[1]
UNIT = "pbx1"

REGISTER = """
import json, os
from appliance.admin.callcenter.models import PbxUnit
unit, created = PbxUnit.objects.get_or_create(
    name="pbx1",
    defaults={"address": "127.0.0.1", "ami_user": "uzor-admin", "ami_secret": "pending",
              "sip_address": "127.0.0.1:5060", "description": "demo unit (sid chroot)"},
)
token = unit.issue_token()
unit.save()
print(json.dumps({"token": token}))
"""

APPLY = """
import os
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.models import PbxUnit
unit = PbxUnit.objects.get(name="pbx1")
unit.ami_user, unit.ami_secret = "uzor-admin", os.environ["UZOR_DEMO_AMI_SECRET"]
unit.agency_ami_user = "uzor-agency"
unit.agency_ami_secret = os.environ["UZOR_DEMO_AGENCY_AMI_SECRET"]
unit.save()
for result in apply_dialplan([unit], created_by="make demo"):
    print(("applied" if result.ok else "FAILED"), result.unit, "revision", result.revision,
          "-", result.message)
"""


def pbx_rootfs() -> Path:
    """The cached sid root with Asterisk (built by the PBX fixtures' script on first use)."""
    script = REPO / "scripts/build-pbx-rootfs.sh"
    result = subprocess.run([str(script)], capture_output=True, text=True, check=True)
    return Path(result.stdout.strip().splitlines()[-1])


def register_unit(app: Target) -> str:
    output = app.run(["uzor-admin", "shell", "--no-imports", "-c", REGISTER]).stdout
    return str(json.loads(output.strip().splitlines()[-1])["token"])


def install_glue(root: Path, run: Path, app: Target, token: str) -> str:
    shutil.copy(run, root / RUN_INSIDE.lstrip("/"))
    (root / "root/unit_token").write_text(token + "\n")
    (root / "root/unit_token").chmod(0o600)
    shutil.copy(app.path("/etc/uzor/tls/uzor.crt"), root / "root/admin-ca.pem")
    args = ["--role", "pbx", "--admin-url", "https://127.0.0.1", "--unit", UNIT]
    args += ["--unit-token-file", "/root/unit_token", "--admin-ca", "/root/admin-ca.pem"]
    result = run_in_chroot(root, [RUN_INSIDE, "--noprogress", "--", *args])
    if result.returncode != 0:
        raise RuntimeError(f"--role pbx failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return (root / "etc/asterisk/manager.d/uzor.conf").read_text()


def ami_secrets(manager_d: str) -> dict[str, str]:
    """The secret of each ``[user]`` in uzor-pbx-setup's manager.d/uzor.conf."""
    secrets: dict[str, str] = {}
    user = ""
    for line in manager_d.splitlines():
        if line.startswith("["):
            user = line.strip("[] ")
        elif line.startswith("secret = "):
            secrets[user] = line.removeprefix("secret = ").strip()
    return secrets


def start_asterisk(root: Path, log: Path) -> int:
    """Asterisk in the foreground in the chroot, in its own session (setsid -f: not our child,
    so it outlives `make demo`); returns its PID from its pid file."""
    run_dir = root / "run/asterisk"
    run_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chroot", str(root), "chown", "asterisk:asterisk", "/run/asterisk"], check=True)
    with log.open("wb") as out:
        subprocess.run(
            ["setsid", "-f", "chroot", str(root), "asterisk", "-f", "-n", "-q"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # Reloads before "fully booted" are deferred: Apply would read back the old revision.
        probe = run_in_chroot(root, ["asterisk", "-rx", "core waitfullybooted"], timeout=60)
        pid_file = run_dir / "asterisk.pid"
        if probe.returncode == 0 and "fully booted" in probe.stdout.lower() and pid_file.exists():
            return int(pid_file.read_text().split()[0])
        time.sleep(0.5)
    raise RuntimeError(f"Asterisk did not start in the PBX chroot; see {log}")


def up(app: Target, run: Path, work: Path, state: dict[str, object]) -> str:
    """Brings the unit up, filling ``state`` (what `down` needs) as it goes; returns what
    Apply Dialplan reported."""
    work.mkdir(parents=True, exist_ok=True)
    root = overlay_root(pbx_rootfs(), work)
    mount_chroot(root)
    state.update(root=str(root), work=str(work))
    token = register_unit(app)
    users = ami_secrets(install_glue(root, run, app, token))
    state["asterisk_pid"] = start_asterisk(root, work / "asterisk.log")
    result = app.run(
        ["uzor-admin", "shell", "--no-imports", "-c", APPLY],
        env={
            "UZOR_DEMO_AMI_SECRET": users["uzor-admin"],
            "UZOR_DEMO_AGENCY_AMI_SECRET": users["uzor-agency"],
        },
    )
    # nginx's wss://<server>/sip/pbx1 now, not at the timer's next run
    proxies = app.run(["uzor-sip-proxies"])
    return "\n".join(part.strip() for part in (result.stdout, proxies.stdout) if part.strip())


def down(state: dict[str, object]) -> None:
    if "root" not in state:
        return
    root, work = Path(str(state["root"])), Path(str(state["work"]))
    pid = state.get("asterisk_pid")
    if pid:
        run_in_chroot(root, ["asterisk", "-rx", "core stop now"], timeout=20)
        for _ in range(40):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.25)
        else:
            os.kill(int(str(pid)), 9)
    unmount_chroot(root)
    shutil.rmtree(work, ignore_errors=True)
