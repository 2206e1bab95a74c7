"""``uzor-pbx-setup`` run for real in an overlay of the PBX root (a chroot), as on a unit."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from testkit.ami_users import SETUP
from testkit.target import mount_chroot, overlay_root, run_in_chroot, unmount_chroot

UNIT_TOKEN = "unit-token-123"


@contextlib.contextmanager
def setup_root(pbx_rootfs: Path, prefix: str = "uzor-pbx-setup.") -> Iterator[Path]:
    """An overlay of the PBX root with uzor-pbx-setup in it and a unit token at /root/token."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    root = overlay_root(pbx_rootfs, work)
    try:
        mount_chroot(root)
        shutil.copy(SETUP, root / "usr/sbin/uzor-pbx-setup")
        (root / "root/token").write_text(UNIT_TOKEN + "\n")
        yield root
    finally:
        unmount_chroot(root)
        shutil.rmtree(work, ignore_errors=True)


def run_pbx_setup(
    root: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """uzor-pbx-setup for unit pbx1 of an admin on 127.0.0.1, with ``extra`` options."""
    command = ["/usr/sbin/uzor-pbx-setup", "--admin-url", "https://127.0.0.1", "--unit", "pbx1"]
    return run_in_chroot(root, [*command, "--token-file", "/root/token", *extra], timeout=timeout)
