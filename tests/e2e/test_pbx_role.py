"""`--role pbx` in the Debian sid root that has Asterisk 22 (a chroot: sid's systemd does not
boot here): uzor-pbx replaces Asterisk's files by diversion and connects the unit to an admin."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from testkit.bundle import Bundle
from testkit.target import mount_chroot, overlay_root, run_in_chroot, unmount_chroot

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture
def sid_root(pbx_rootfs: Path):
    work = Path(tempfile.mkdtemp(prefix="uzor-pbx-role.", dir="/var/tmp"))
    root = overlay_root(pbx_rootfs, work)
    try:
        mount_chroot(root)
        yield root
    finally:
        unmount_chroot(root)
        shutil.rmtree(work, ignore_errors=True)


def test_role_pbx_installs_the_glue_and_connects_the_unit(bundle: Bundle, sid_root: Path):
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    shutil.copy(bundle.run, sid_root / "root/uzor.run")
    (sid_root / "root/token").write_text("unit-token-123\n")
    args = ["--role", "pbx", "--admin-url", "https://admin.example", "--unit", "pbx1"]
    args += ["--unit-token-file", "/root/token", "--ami-permit", "192.0.2.10/32"]
    result = run_in_chroot(sid_root, ["/root/uzor.run", "--noprogress", "--", *args])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "uzor-common" not in run_in_chroot(sid_root, ["dpkg-query", "-W"]).stdout
    etc = sid_root / "etc/asterisk"
    assert "#exec /usr/bin/uzor-confgen" in (etc / "pjsip.conf").read_text()
    assert (etc / "pjsip.conf.asterisk-dist").exists()
    settings = (etc / "uzor/confgen.yaml").read_text()
    assert "admin_url: https://admin.example/admin/confgen" in settings
    assert "unit: pbx1" in settings
    # issue 13, item 5: the admin's signing key cannot be fetched here (admin.example does not
    # resolve): nothing is pinned, and uzor-confgen will refuse every bundle until it is
    assert "signing_key: /etc/asterisk/uzor/admin-signing-key" in settings
    assert not (etc / "uzor/admin-signing-key").exists()
    assert "uzor-confgen refuses all configuration until it is pinned" in result.stderr
    token = run_in_chroot(sid_root, ["stat", "-c", "%a %U", "/etc/asterisk/uzor/confgen_token"])
    assert token.stdout.strip() == "600 asterisk"
    ami = (etc / "manager.d/uzor.conf").read_text()
    assert "permit = 192.0.2.10/32" in ami
    assert "secret = unit" not in ami
    # least privilege (issue 13, item 6): the admin's and the agency's users, no all-rights one
    assert "[uzor-admin]\n" in ami and "[uzor-agency]\n" in ami
    assert "[uzor]\n" not in ami and "config" not in ami and "command" not in ami
    # Asterisk's HTTP (the SIP WebSocket): the admin's host does not resolve here, so loopback
    assert (etc / "uzor/http_bind.conf").read_text().splitlines()[-1] == "bindaddr = 127.0.0.1"
    assert "cannot resolve or reach the admin's host" in result.stderr + result.stdout
    assert "#tryinclude uzor/http_bind.conf" in (etc / "http.conf").read_text()
    # AMI: only the address towards the --ami-permit network, never every address
    # (over TLS with the unit's certificate when that address is not loopback)
    written = (etc / "uzor/ami_bind.conf").read_text().splitlines()
    listens = [line.split(" = ")[1] for line in written if "bindaddr = " in line]
    assert listens and not any(a.startswith(".".join("0" * 4)) for a in listens), written
    if "tlsenable = yes" in written:
        assert "bindaddr = 127.0.0.1" in written  # plain AMI on loopback only
        assert (etc / "uzor/ami-tls.crt").exists() and (etc / "uzor/ami-tls.key").exists()
    assert "#tryinclude uzor/ami_bind.conf" in (etc / "manager.conf").read_text()
    assert "noload => chan_iax2.so" in (etc / "modules.conf").read_text()
    assert (etc / "modules.conf.asterisk-dist").exists()
    assert "transport = config,pjsip_transports.conf" in (etc / "sorcery.conf").read_text()
    assert (etc / "sorcery.conf.asterisk-dist").exists()
    assert (
        "uzor-confgen --config /etc/asterisk/uzor/confgen.yaml --end-pass"
        in (etc / "cli.conf").read_text()
    )
    assert (etc / "cli.conf.asterisk-dist").exists()
    setup = ["/usr/sbin/uzor-pbx-setup", "--admin-url", "https://admin.example", "--unit", "pbx1"]
    setup += ["--token-file", "/root/token", "--ami-permit", "192.0.2.10/32"]
    foreign = run_in_chroot(sid_root, [*setup, "--http-bind", "192.0.2.99"])
    assert foreign.returncode == 1
    assert "--http-bind 192.0.2.99 is not an address of this host" in foreign.stderr
    plain = [*setup[:2], "http://admin.example", *setup[3:]]
    refused = run_in_chroot(sid_root, plain)
    assert refused.returncode == 1 and "--admin-url must be https" in refused.stderr
    (sid_root / "root/bad.key").write_text("c2hvcnQ=\n")
    bad = run_in_chroot(sid_root, [*setup, "--signing-key", "/root/bad.key"])
    assert bad.returncode == 1 and "not an ed25519 public key" in bad.stderr
    key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # RFC 8032's first test key
    (sid_root / "root/admin.key").write_text(key + "\n")
    pinned = run_in_chroot(sid_root, [*setup, "--signing-key", "/root/admin.key"])
    assert pinned.returncode == 0, pinned.stderr
    assert (etc / "uzor/admin-signing-key").read_text() == key + "\n"
    assert f"signed by the admin's key {key}" in pinned.stdout
    foreign = run_in_chroot(sid_root, [*setup, "--ami-bind", "192.0.2.99"])
    assert foreign.returncode == 1
    assert "--ami-bind 192.0.2.99 is not an address of this host" in foreign.stderr
    # Asterisk accepts the glue: the generated files come through uzor-confgen, which prints
    # a comment (the admin is unreachable here) instead of breaking the configuration.
    check = run_in_chroot(
        sid_root,
        [
            "runuser",
            "-u",
            "asterisk",
            "--",
            "/usr/bin/uzor-confgen",
            "--config",
            "/etc/asterisk/uzor/confgen.yaml",
            "pjsip.conf",
        ],
        timeout=60,
    )
    assert check.stdout.startswith(";"), check.stdout + check.stderr
    removal = run_in_chroot(sid_root, ["dpkg", "--purge", "uzor-pbx"])
    assert removal.returncode == 0, removal.stderr
    assert "#exec" not in (etc / "pjsip.conf").read_text()
    assert not (etc / "pjsip.conf.asterisk-dist").exists()
    assert not (etc / "modules.conf.asterisk-dist").exists()
    assert "noload => chan_iax2.so" not in (etc / "modules.conf").read_text()
    assert not (etc / "sorcery.conf.asterisk-dist").exists()
    assert "pjsip_transports.conf" not in (etc / "sorcery.conf").read_text()
    assert not (etc / "cli.conf.asterisk-dist").exists()
    assert "--end-pass" not in (etc / "cli.conf").read_text()
