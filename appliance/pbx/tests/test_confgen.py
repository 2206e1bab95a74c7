"""uzor-confgen against a fake admin (a local HTTP server): fetch, verify, fall back."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.contracts.bundle import bundle_bytes, host_addresses_placeholder
from appliance.pbx import build
from appliance.pbx import confgen as client
from appliance.pbx.confgen import ConfgenError, parse_settings

SOUND = b"RIFF-not-really-a-wav"
SOUND_NAME = f"hold-{hashlib.sha256(SOUND).hexdigest()[:12]}.wav"


def make_bundle(revision: int, text: str = "[sales]\nmusicclass = x\n") -> dict:
    return {
        "format": 1,
        "unit": "pbx1",
        "revision": revision,
        "created_at": "now",
        "files": {"queues.conf": text, "musiconhold.conf": "entry = @UZOR_SOUNDS_DIR@/hold\n"},
        "sounds": {SOUND_NAME: hashlib.sha256(SOUND).hexdigest()},
    }


class FakeAdmin(http.server.ThreadingHTTPServer):
    """Serves one unit's current revision; ``tamper`` damages the bundle in transit."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.token = "unit-token"
        self.tamper = False
        self.publish(make_bundle(1))
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def publish(self, bundle: dict) -> None:
        self.bundle = bundle_bytes(bundle)
        self.number = bundle["revision"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/admin/confgen"


class Handler(http.server.BaseHTTPRequestHandler):
    server: FakeAdmin

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, b"{}")
        base = "/admin/confgen/pbx1/"
        if self.path == base + "current":
            sha = hashlib.sha256(self.server.bundle).hexdigest()
            return self._send(
                200, f'{{"revision": {self.server.number}, "sha256": "{sha}"}}'.encode()
            )
        if self.path == f"{base}revisions/{self.server.number}":
            body = (
                self.server.bundle.replace(b"sales", b"evil!")
                if self.server.tamper
                else self.server.bundle
            )
            return self._send(200, body)
        if self.path == base + "sounds/" + SOUND_NAME:
            return self._send(200, SOUND)
        return self._send(404, b"{}")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def admin() -> Iterator[FakeAdmin]:
    server = FakeAdmin()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(tmp_path: Path, admin: FakeAdmin) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"# confgen\nadmin_url: {admin.url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 2  # seconds\n"
    )
    return path


def run(config: Path, name: str = "queues.conf") -> tuple[int, str]:
    out = io.StringIO()
    status = client.main(["--config", str(config), name], stdout=out)
    return status, out.getvalue()


def test_it_prints_the_current_revision_and_keeps_it_with_its_sounds(config, tmp_path):
    status, text = run(config)
    assert (status, text) == (0, "[sales]\nmusicclass = x\n")
    sounds = tmp_path / "cache" / "sounds"
    assert (sounds / SOUND_NAME).read_bytes() == SOUND
    _status, moh = run(config, "musiconhold.conf")
    assert moh == f"entry = {sounds}/hold\n"  # the placeholder becomes the unit's directory
    sha = (tmp_path / "cache" / "last-good.sha256").read_text().strip()
    assert (tmp_path / "cache" / "bundles" / f"{sha}.json").exists()


def test_a_damaged_file_copy_is_replaced_by_the_verified_bundle_and_a_damaged_bundle_refused(
    config, admin, tmp_path
):
    run(config)
    admin.shutdown()
    admin.server_close()
    sha = (tmp_path / "cache" / "last-good.sha256").read_text().strip()
    bundles = tmp_path / "cache" / "bundles"
    (bundles / f"{sha}.d" / "queues.conf").write_text("[evil]\n")
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    bundle = bundles / f"{sha}.json"
    bundle.write_bytes(bundle.read_bytes().replace(b"sales", b"evil!"))
    status, text = run(config)
    assert status == client.EXIT_NO_CONFIG and "SHA-256 mismatch" in text


def test_a_newer_revision_replaces_the_older_copy(config, admin, tmp_path):
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    assert run(config) == (0, "[sales]\nstrategy = ringall\n")
    names = sorted(p.name for p in (tmp_path / "cache" / "bundles").iterdir())
    sha = (tmp_path / "cache" / "last-good.sha256").read_text().strip()
    assert names == [f"{sha}.d", f"{sha}.json"]


def test_it_prints_the_last_good_copy_when_the_admin_is_down(config, admin, tmp_path):
    run(config)
    admin.shutdown()
    admin.server_close()

    status, text = run(config)

    assert (status, text) == (0, "[sales]\nmusicclass = x\n")
    log = (tmp_path / "cache" / "confgen.log").read_text()
    assert "admin unreachable" in log and "last-good revision 1" in log


def test_a_bundle_that_does_not_verify_is_never_promoted(config, admin, tmp_path):
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    admin.tamper = True

    status, text = run(config)

    assert (status, text) == (0, "[sales]\nmusicclass = x\n")  # still revision 1
    assert "SHA-256 mismatch" in (tmp_path / "cache" / "confgen.log").read_text()
    admin.tamper = False
    assert run(config) == (0, "[sales]\nstrategy = ringall\n")


def test_without_any_copy_it_prints_only_a_comment_and_fails(config, admin):
    admin.token = "another-token"
    status, text = run(config)
    assert status == client.EXIT_NO_CONFIG
    assert text.startswith("; uzor-confgen: admin answered 401") and text.count("\n") == 1


def test_it_refuses_a_file_name_that_is_not_generated(config):
    status, text = run(config, "../../etc/passwd")
    assert status == client.EXIT_NO_CONFIG and "not a generated file name" in text


def test_the_settings_file_is_strict_and_names_the_line():
    with pytest.raises(ConfgenError, match=r"f:2: unknown key 'admin_uri'"):
        parse_settings("unit: a\nadmin_uri: http://x\n", "f")
    with pytest.raises(ConfgenError, match="missing key 'admin_url'"):
        parse_settings("unit: a\n", "f")
    with pytest.raises(ConfgenError, match="http:// or https://"):
        parse_settings("unit: a\nadmin_url: file:///etc/passwd\n", "f")
    with pytest.raises(ConfgenError, match="tls_verify must be true or false"):
        parse_settings("unit: a\nadmin_url: https://x\ntls_verify: maybe\n", "f")
    settings = parse_settings(
        "admin_url: 'https://uzor.example/admin/confgen'\nunit: pbx1\ntls_verify: no\n"
        "ca_file: /etc/uzor/ca.pem\n",
        "f",
    )
    assert settings.admin_url == "https://uzor.example/admin/confgen"
    assert settings.tls_verify is False and str(settings.ca_file) == "/etc/uzor/ca.pem"


def test_it_needs_nothing_but_the_standard_library():
    """The installed program (confgen.py with the bundle format inlined) imports only the
    standard library; test_build.py runs it with nothing else."""
    source = build.confgen_source()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imports <= set(__import__("sys").stdlib_module_names)


def test_a_gateways_host_name_becomes_its_addresses_in_the_sip_acl(config, admin, tmp_path):
    """The admin writes a gateway known by name as a placeholder line in the unit-wide SIP ACL;
    confgen resolves it on the unit (each time Asterisk reads the file): one permit line per
    address, and a name that does not resolve lets nothing in (a comment, no permit)."""
    acl = "\n".join(
        [
            "[uzor-acl]",
            "type = acl",
            "deny = 0.0.0.0/0.0.0.0",
            host_addresses_placeholder("permit", "localhost"),
            host_addresses_placeholder("permit", "gateway.invalid"),
            "permit = 10.0.0.5/32",
        ]
    )
    admin.publish(make_bundle(3, acl + "\n"))
    status, text = run(config)
    assert status == 0
    lines = text.splitlines()
    assert "permit = 127.0.0.1/32" in lines
    assert "; uzor-confgen: gateway.invalid does not resolve" in lines
    assert [line for line in lines if "@" in line or ("invalid" in line and "permit" in line)] == []
    assert lines[-1] == "permit = 10.0.0.5/32"
    assert "gateway.invalid does not resolve" in (tmp_path / "cache" / "confgen.log").read_text()
    with pytest.raises(ValueError):
        host_addresses_placeholder("permit", "x@\npermit = 0.0.0.0/0")
