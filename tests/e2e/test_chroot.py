"""The bundle in a chroot (systemd not PID 1, as in an image build): it installs, enables the
units, starts nothing, and says so; an interrupted install completes on a re-run; removing the
packages keeps configuration and data, purging deletes them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from testkit.bundle import Bundle
from testkit.target import chroot_root, run_in_chroot

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def processes_rooted_in(root: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.readlink(proc / "root") == str(root):
                found.append((proc / "comm").read_text().strip())
        except OSError:
            continue
    return found


def test_in_a_chroot_it_installs_without_starting_services(bundle: Bundle):
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    with chroot_root() as root:
        shutil.copy(bundle.run, root / "root/uzor.run")
        result = run_in_chroot(root, ["/root/uzor.run", "--noprogress", "--", "--no-configure"])
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "systemd is not running here" in result.stderr
        assert processes_rooted_in(root) == []
        assert not (root / "usr/sbin/policy-rc.d").exists()
        assert (root / "etc/systemd/system/sockets.target.wants/uzor-admin.socket").is_symlink()
        assert (root / "opt/uzor/venv/bin/uzor-admin").exists()
        assert any((root / "var/lib/uzor/static/admin").iterdir())
        assert (root / "usr/share/uzor/webagent/index.html").is_file()
        assert (root / "usr/share/uzor/nginx/webagent.conf").is_file()
        # An interrupted install (a package unpacked, never configured) completes on a re-run.
        run_in_chroot(root, ["/root/uzor.run", "--noexec", "--target", "/root/x"])
        unpack = run_in_chroot(root, ["sh", "-c", "dpkg --unpack /root/x/debs/uzor-admin_*.deb"])
        assert unpack.returncode == 0, unpack.stderr
        status = ["dpkg-query", "-W", "-f=${Status}", "uzor-admin"]
        assert run_in_chroot(root, status).stdout == "install ok unpacked"
        rerun = run_in_chroot(root, ["/root/uzor.run", "--noprogress", "--", "--no-configure"])
        assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
        assert run_in_chroot(root, status).stdout == "install ok installed"
        # Removing keeps configuration and data; only purging deletes them.
        (root / "etc/uzor/secrets/marker").write_text("kept\n")
        packages = ["uzor", "uzor-webagent", "uzor-agency", "uzor-admin", "uzor-common"]
        removal = run_in_chroot(root, ["dpkg", "--remove", *packages])
        assert removal.returncode == 0, removal.stdout + removal.stderr
        assert (root / "etc/uzor/secrets/marker").exists()
        assert (root / "var/lib/uzor/media").is_dir()
        assert not (root / "opt/uzor/venv").exists()
        purge = run_in_chroot(root, ["dpkg", "--purge", *packages])
        assert purge.returncode == 0, purge.stdout + purge.stderr
        assert not (root / "etc/uzor").exists()
        assert not (root / "var/lib/uzor").exists()
        assert not (root / "usr/share/uzor/webagent").exists()
