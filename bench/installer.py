"""Figures for the installer: bundle size, build time, fresh install + configure time in a booted
Debian 12 container (distribution packages from the apt cache and without it), and the time of a
configurator re-run on the installed appliance.

    .venv/bin/python bench/installer.py [--skip-cold]

Needs root (systemd-nspawn) and the host's ports 80, 443 and 3306 free. Prints wall-clock
seconds; nothing is asserted."""

from __future__ import annotations

import argparse
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import testkit.target as target_module
from testkit import appliance
from testkit.bundle import make_vendor_key
from testkit.target import booted_target, host_ports

REPO = Path(__file__).resolve().parents[1]


def timed(action):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    result = action()
    return time.monotonic() - start, result


def build(key: Path, out: Path) -> Path:
    subprocess.run(
        [str(REPO / "installer/build_run.sh"), "--vendor-key", str(key), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("uzor_*.run"))


def install_and_rerun(run: Path, label: str) -> None:
    superuser = appliance.Credentials("root", secrets.token_urlsafe(10))
    with host_ports(), booted_target("uzor-bench") as target:
        answers = appliance.put_answers(target, superuser)
        seconds, _ = timed(lambda: appliance.run_bundle(target, run, "--answers", answers))
        print(f"install + configure ({label}): {seconds:.1f} s")
        command = ["/opt/uzor/configurator.sh", "--answers", answers]
        seconds, _ = timed(lambda: target.run(command))
        print(f"configurator re-run (nothing to change): {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-cold", action="store_true", help="skip the empty apt cache run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        key, _ = make_vendor_key(Path(scratch) / "vendor")
        seconds, run = timed(lambda: build(key, Path(scratch) / "dist"))
        size = run.stat().st_size
        print(f"bundle: {run.name}, {size / 2**20:.1f} MiB ({size} bytes)")
        print(f"build time (wheel cache warm after the first build): {seconds:.1f} s")
        install_and_rerun(run, "apt cache warm")
        if not args.skip_cold:
            target_module.APT_ARCHIVES = Path(scratch) / "empty-apt-cache"
            install_and_rerun(run, "apt cache empty")


if __name__ == "__main__":
    main()
