"""Driving the Ansible collection in ansible/ against booted targets, the way a field engineer
does: ansible-playbook on this host (the controller) over SSH to each target's own sshd on a
loopback port, with a key and known_hosts made for the test and the secrets in a vault."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from licensing.hardware import Host
from licensing.server_id import format_server_id
from testkit.target import Target, run_in_chroot

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
# The target shares the host's network: its sshd listens on loopback only, on a port of its own.
SSHD_CONFIG = """# The e2e test's sshd.
Port {port}
ListenAddress 127.0.0.1
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
"""
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.MULTILINE,
)


@dataclass
class PlaybookRun:
    returncode: int
    output: str
    seconds: float

    def recap(self, host: str) -> dict[str, int]:
        for match in RECAP.finditer(self.output):
            if match["host"] == host:
                return {key: int(match[key]) for key in ("ok", "changed", "unreachable", "failed")}
        raise AssertionError(f"no PLAY RECAP line for {host}:\n{self.output[-3000:]}")


@dataclass
class Controller:
    """This host as the Ansible controller: a work directory with the SSH key, known_hosts,
    the inventory, the vault and its password file."""

    work: Path
    key: Path
    known_hosts: Path
    vault_password: Path
    hosts: dict[str, dict[str, object]] = field(default_factory=dict)
    control_dir: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="ua", dir="/tmp"))
    )

    @classmethod
    def create(cls, work: Path) -> Controller:
        key = work / "id_ed25519"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "uzor-e2e", "-f", str(key)],
            check=True,
        )
        collections = work / "collections" / "ansible_collections" / "uzor"
        collections.mkdir(parents=True)
        (collections / "appliance").symlink_to(REPO / "ansible")
        vault_password = work / "vault-password"
        vault_password.write_text("e2e-vault-" + key.read_bytes().hex()[-16:] + "\n")
        vault_password.chmod(0o600)
        known_hosts = work / "known_hosts"
        known_hosts.touch()
        return cls(work, key, known_hosts, vault_password)

    def trust_host_key(self, port: int, public_key: str) -> None:
        algorithm, key = public_key.split()[:2]
        with self.known_hosts.open("a") as handle:
            handle.write(f"[127.0.0.1]:{port} {algorithm} {key}\n")

    def write_vault(self, group: str, secrets: dict[str, str]) -> None:
        """group_vars/<group>/vault.yml next to the inventory, encrypted with ansible-vault."""
        folder = self.work / "group_vars" / group
        folder.mkdir(parents=True, exist_ok=True)
        vault = folder / "vault.yml"
        vault.write_text(json.dumps(secrets) + "\n")
        subprocess.run(
            [
                *(str(VENV_BIN / "ansible-vault"), "encrypt"),
                *("--vault-password-file", str(self.vault_password), str(vault)),
            ],
            check=True,
            capture_output=True,
            env=self.environment(),
        )
        assert vault.read_text().startswith("$ANSIBLE_VAULT;")

    def write_inventory(self, groups: dict[str, dict[str, object]]) -> Path:
        inventory = {
            "all": {
                "vars": {
                    "ansible_user": "root",
                    "ansible_ssh_private_key_file": str(self.key),
                    "ansible_ssh_common_args": (
                        f"-o UserKnownHostsFile={self.known_hosts} -o StrictHostKeyChecking=yes"
                    ),
                    "ansible_python_interpreter": "/usr/bin/python3",
                },
                "children": groups,
            }
        }
        path = self.work / "inventory.yml"
        path.write_text(json.dumps(inventory, indent=2) + "\n")
        return path

    def environment(self) -> dict[str, str]:
        return {
            "PATH": f"{VENV_BIN}:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.work),
            "ANSIBLE_HOME": str(self.work / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.work / "ansible-tmp"),
            "ANSIBLE_COLLECTIONS_PATH": str(self.work / "collections"),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.control_dir),
            "ANSIBLE_PIPELINING": "true",
            "ANSIBLE_NOCOLOR": "true",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
        }

    def playbook(
        self, *args: str, playbook: str = "site.yml", timeout: float = 1800
    ) -> PlaybookRun:
        command = [str(VENV_BIN / "ansible-playbook"), "-i", str(self.work / "inventory.yml")]
        command += ["--vault-password-file", str(self.vault_password)]
        command += [str(REPO / "ansible" / "playbooks" / playbook), *args]
        start = time.monotonic()
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=self.environment(),
            cwd=self.work,
        )
        return PlaybookRun(
            result.returncode, result.stdout + result.stderr, time.monotonic() - start
        )

    def close_connections(self) -> None:
        """End the SSH master connections Ansible keeps open (their sessions hold the target)."""
        for control in self.control_dir.iterdir():
            subprocess.run(
                ["ssh", "-o", f"ControlPath={control}", "-O", "exit", "uzor-e2e"],
                capture_output=True,
                check=False,
                timeout=30,
            )


def server_id_for(target: Target) -> str:
    """The server ID the target reports: its own machine-id with this host's hardware (the
    container shares the host's network interfaces and DMI)."""
    host = Host(machine_id_path=target.path("/etc/machine-id"), hostname=lambda: target.name)
    return format_server_id(host.facts())


def sign_license(vendor_key: Path, server_id: str, out: Path) -> Path:
    subprocess.run(
        [
            *(str(VENV_BIN / "uzor-license"), "sign", "--key", str(vendor_key)),
            *("--server-id", server_id, "--customer", "Ansible e2e", "--max-operators", "10"),
            *("--max-units", "2", "-o", str(out), "--force"),
        ],
        check=True,
        capture_output=True,
    )
    return out


def start_sshd_in_target(target: Target, controller: Controller, port: int) -> None:
    """openssh-server and python3 from the distribution, sshd on 127.0.0.1:port only."""
    config = target.path("/etc/ssh/sshd_config.d/uzor-e2e.conf")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(SSHD_CONFIG.format(port=port))
    _authorize(target.path("/root"), controller)
    target.run(["apt-get", "update", "-q"], timeout=600)
    target.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "openssh-server", "python3"],
        timeout=900,
    )
    target.run(["systemctl", "restart", "ssh.service"])
    controller.trust_host_key(port, target.path("/etc/ssh/ssh_host_ed25519_key.pub").read_text())


def start_sshd_in_chroot(root: Path, controller: Controller, port: int) -> None:
    """The same for a chroot (no init system): starts of services blocked while installing,
    then sshd run by hand; stop it with stop_sshd_in_chroot."""
    config = root / "etc/ssh/sshd_config.d/uzor-e2e.conf"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(SSHD_CONFIG.format(port=port))
    _authorize(root / "root", controller)
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    try:
        for command in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "openssh-server"],
        ):
            result = run_in_chroot(root, command)
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    finally:
        policy.unlink()
    assert run_in_chroot(root, ["ssh-keygen", "-A"]).returncode == 0
    (root / "run/sshd").mkdir(parents=True, exist_ok=True)
    result = run_in_chroot(root, ["/usr/sbin/sshd", "-o", "PidFile=/run/uzor-e2e-sshd.pid"])
    assert result.returncode == 0, result.stderr
    controller.trust_host_key(port, (root / "etc/ssh/ssh_host_ed25519_key.pub").read_text())


def stop_sshd_in_chroot(root: Path) -> None:
    pid_file = root / "run/uzor-e2e-sshd.pid"
    if pid_file.exists():
        subprocess.run(["kill", pid_file.read_text().strip()], check=False)


def _authorize(home: Path, controller: Controller) -> None:
    ssh = home / ".ssh"
    ssh.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = ssh / "authorized_keys"
    keys.write_text(controller.key.with_suffix(".pub").read_text())
    keys.chmod(0o600)
