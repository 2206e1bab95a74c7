"""Figures for the configurator: a first run and a re-run with an answers file, against a
throwaway MariaDB and the real uzor-admin, everything written under a temporary prefix.

    .venv/bin/python bench/configurator_rerun.py

Prints wall-clock seconds of each run (the re-run is what /opt/uzor/configurator.sh costs on a
configured appliance, minus restarting services)."""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testkit.mariadb import start_mariadb, stop_mariadb


def answers(directory: Path, host: str, port: int, password: str, name: str) -> Path:
    (directory / "admin.pw").write_text(password + "\n")
    (directory / "su.pw").write_text("bench superuser password 1\n")
    path = directory / "answers.yaml"
    path.write_text(
        f"database: {{mode: existing, host: {host}, port: {port}, admin_user: root, "
        f"admin_password_file: {directory / 'admin.pw'}, name: {name}, user: {name}}}\n"
        f"superuser: {{username: root, email: root@example.com, "
        f"password_file: {directory / 'su.pw'}}}\n"
        "tls: {mode: self-signed}\n"
    )
    return path


def timed_run(root: Path, answers_file: Path) -> float:
    uzor_admin = str(Path(sys.executable).parent / "uzor-admin")
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "configurator",
            "--root",
            str(root),
            "--answers",
            str(answers_file),
            "--admin-command",
            uzor_admin,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"configurator failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    proc, server = start_mariadb()
    try:
        with tempfile.TemporaryDirectory(prefix="uzor-bench-") as tmp:
            directory = Path(tmp)
            name = f"bench_{secrets.token_hex(3)}"
            file = answers(directory, server.host, server.port, server.password, name)
            first = timed_run(directory / "root", file)
            rerun = timed_run(directory / "root", file)
            print(f"configurator first run (answers file, no license key): {first:.2f} s")
            print(f"configurator re-run (nothing to change): {rerun:.2f} s")
    finally:
        stop_mariadb(proc, server)


if __name__ == "__main__":
    main()
