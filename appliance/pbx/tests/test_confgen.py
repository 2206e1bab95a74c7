"""uzor-confgen against a fake admin (a local HTTPS server): fetch, verify, fall back."""

from __future__ import annotations

import atexit
import base64
import hashlib
import http.server
import io
import json
import re
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.contracts.bundle import bundle_bytes, host_addresses_placeholder, signed_message
from appliance.pbx import build
from appliance.pbx import confgen as client
from appliance.pbx.confgen import ConfgenError, parse_settings
from testkit.tls import self_signed

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


_TLS: dict[str, Path] = {}


def _certificate() -> tuple[Path, Path]:
    """One self-signed certificate for every fake admin of the test run."""
    if not _TLS:
        directory = Path(tempfile.mkdtemp(prefix="uzor-confgen-tls."))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        _TLS["cert"], _TLS["key"] = self_signed(directory)
    return _TLS["cert"], _TLS["key"]


class FakeAdmin(http.server.ThreadingHTTPServer):
    """Serves one unit's current revision over HTTPS, signed with ``signing_key``; ``tamper``
    damages the bundle in transit (``rehash``: and sends the damaged bundle's SHA-256 as the
    current one, as an attacker who controls the answers would); ``signature`` replaces the
    signature sent ("" for none); ``before_answering_current`` runs once the answer to
    'current' is made, before it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        cert, key = _certificate()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.ca_file = cert
        self.token = "unit-token"
        self.signing_key = Ed25519PrivateKey.generate()
        self.tamper = False
        self.rehash = False
        self.signature: str | None = None
        self.asked: list[str] = []  # the paths of the GET requests, in order
        self.earlier: dict[int, bytes] = {}
        self.before_answering_current: Callable[[], None] | None = None
        self.publish(make_bundle(1))
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def publish(self, bundle: dict) -> None:
        self.bundle = bundle_bytes(bundle)
        self.number = bundle["revision"]
        self.earlier[self.number] = self.bundle  # the admin keeps every revision

    def served(self) -> bytes:
        return self.bundle.replace(b"sales", b"evil!") if self.tamper else self.bundle

    def current_signature(self) -> str:
        if self.signature is not None:
            return self.signature
        return base64.b64encode(self.signing_key.sign(signed_message(self.bundle))).decode()

    def public_key_text(self) -> str:
        raw = self.signing_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()

    def unit_settings(self, directory: Path) -> str:
        """The confgen.yaml lines uzor-pbx-setup writes for this admin: its CA and its public
        key, pinned in ``directory``."""
        pinned = directory / "admin-signing-key"
        pinned.write_text(self.public_key_text() + "\n")
        return f"ca_file: {self.ca_file}\nsigning_key: {pinned}\n"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}/admin/confgen"


class Handler(http.server.BaseHTTPRequestHandler):
    server: FakeAdmin

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, b"{}")
        base = "/admin/confgen/pbx1/"
        self.server.asked.append(self.path)
        if self.path == base + "current":
            sent = self.server.served() if self.server.rehash else self.server.bundle
            sha = hashlib.sha256(sent).hexdigest()
            answer = {"revision": self.server.number, "sha256": sha}
            if self.server.current_signature():
                answer["signature"] = self.server.current_signature()
            if self.server.before_answering_current is not None:
                self.server.before_answering_current()
            return self._send(200, json.dumps(answer).encode())
        if self.path == f"{base}revisions/{self.server.number}":
            return self._send(200, self.server.served())
        number = self.path.removeprefix(f"{base}revisions/")
        if number.isdigit() and int(number) in self.server.earlier:
            return self._send(200, self.server.earlier[int(number)])
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
    return write_config(tmp_path, admin)


def write_config(tmp_path: Path, admin: FakeAdmin) -> Path:
    """A unit's confgen.yaml for ``admin`` (with its token file), caching under tmp_path."""
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"# confgen\nadmin_url: {admin.url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 2  # seconds\n{admin.unit_settings(tmp_path)}"
    )
    return path


def run(config: Path, name: str = "queues.conf") -> tuple[int, str]:
    out = io.StringIO()
    status = client.main(["--config", str(config), name], stdout=out)
    return status, out.getvalue()


def end_pass(config: Path) -> None:
    """What Apply Dialplan has the unit do (cli.conf over AMI) before it reloads, and Asterisk
    at every start: the next read asks the admin (see test_confgen_pass.py)."""
    out = io.StringIO()
    assert client.main(["--config", str(config), "--end-pass"], stdout=out) == client.EXIT_OK
    assert out.getvalue() == ""


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
    end_pass(config)
    assert run(config) == (0, "[sales]\nstrategy = ringall\n")
    names = sorted(p.name for p in (tmp_path / "cache" / "bundles").iterdir())
    sha = (tmp_path / "cache" / "last-good.sha256").read_text().strip()
    assert names == [f"{sha}.d", f"{sha}.json"]


def test_it_prints_the_last_good_copy_when_the_admin_is_down(config, admin, tmp_path):
    run(config)
    admin.shutdown()
    admin.server_close()
    end_pass(config)

    status, text = run(config)

    assert (status, text) == (0, "[sales]\nmusicclass = x\n")
    log = (tmp_path / "cache" / "confgen.log").read_text()
    assert "admin unreachable" in log and "revision 1 last-good" in log


def _log(tmp_path: Path) -> str:
    return (tmp_path / "cache" / "confgen.log").read_text()


def test_a_bundle_that_does_not_verify_is_never_promoted(config, admin, tmp_path):
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    admin.tamper = True
    end_pass(config)

    status, text = run(config)

    assert (status, text) == (0, "[sales]\nmusicclass = x\n")  # still revision 1
    assert "signature is not the pinned admin key's: refused" in _log(tmp_path)
    admin.tamper = False
    end_pass(config)
    assert run(config) == (0, "[sales]\nstrategy = ringall\n")


def test_a_bundle_altered_with_its_hash_recomputed_is_refused(config, admin, tmp_path):
    """What the SHA-256 alone let through: whoever alters the bundle in transit also answers
    'current' with the altered bundle's hash. The admin's signature does not follow."""
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    admin.tamper = admin.rehash = True
    end_pass(config)

    assert run(config) == (0, "[sales]\nmusicclass = x\n")  # the last good one

    assert "signature is not the pinned admin key's: refused" in _log(tmp_path)
    assert "SHA-256 mismatch" not in _log(tmp_path)  # the hash matched: the signature did it
    last_good = (tmp_path / "cache" / "last-good.sha256").read_text().strip()
    assert last_good == hashlib.sha256(bundle_bytes(make_bundle(1))).hexdigest()


@pytest.mark.parametrize(
    ("signature", "error"),
    [
        ("", "the bundle is not signed (an admin of an earlier version?): refused"),
        ("not-base64!", "the bundle's signature is not base64"),
        (base64.b64encode(b"x" * 63).decode(), "the bundle's signature has 63 bytes, not 64"),
        (base64.b64encode(b"x" * 64).decode(), "signature is not the pinned admin key's"),
    ],
)
def test_an_unsigned_or_malformed_signature_is_refused(config, admin, tmp_path, signature, error):
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    admin.signature = signature
    end_pass(config)
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    assert error in _log(tmp_path)


def test_a_bundle_signed_by_another_key_is_refused(config, admin, tmp_path):
    run(config)
    admin.signing_key = Ed25519PrivateKey.generate()  # not the key pinned on the unit
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    end_pass(config)
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    assert "signature is not the pinned admin key's: refused" in _log(tmp_path)


def test_without_a_pinned_key_nothing_new_is_taken_and_the_log_says_what_to_do(
    config, admin, tmp_path
):
    run(config)
    (tmp_path / "admin-signing-key").unlink()  # a unit set up before keys were pinned
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    end_pass(config)
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    assert "no admin signing key pinned on this unit" in _log(tmp_path)
    assert "run uzor-pbx-setup again" in _log(tmp_path)
    (tmp_path / "admin-signing-key").write_text("c2hvcnQ=\n")
    end_pass(config)
    run(config)
    assert "the admin's signing key has 5 bytes, not 32" in _log(tmp_path)


@pytest.mark.parametrize(
    "line",
    ["#exec /bin/sh -c 'id > /tmp/x'", "  #include /etc/shadow", "\t#tryinclude x", "x\r#exec id"],
)
def test_a_signed_bundle_with_an_asterisk_directive_is_refused(config, admin, tmp_path, line):
    """Even the admin's own key cannot deliver '#exec' (a shell as Asterisk) or '#include'."""
    run(config)
    admin.publish(make_bundle(2, f"[sales]\n{line}\n"))
    end_pass(config)
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    assert re.search(r"queues\.conf:[23]: a line starting with '#'", _log(tmp_path))


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
    with pytest.raises(ConfgenError, match="must start with https://"):
        parse_settings("unit: a\nadmin_url: file:///etc/passwd\n", "f")
    with pytest.raises(ConfgenError, match="tls_verify must be true or false"):
        parse_settings("unit: a\nadmin_url: https://x\ntls_verify: maybe\n", "f")
    settings = parse_settings(
        "admin_url: 'https://uzor.example/admin/confgen'\nunit: pbx1\ntls_verify: no\n"
        "insecure: yes\nca_file: /etc/uzor/ca.pem\nsigning_key: /etc/uzor/key\n",
        "f",
    )
    assert settings.admin_url == "https://uzor.example/admin/confgen"
    assert settings.tls_verify is False and settings.insecure is True
    assert (
        str(settings.ca_file) == "/etc/uzor/ca.pem" and str(settings.signing_key) == "/etc/uzor/key"
    )
    default = parse_settings("admin_url: https://x\nunit: a\n", "f")
    assert default.signing_key == Path("/etc/asterisk/uzor/admin-signing-key")
    assert default.tls_verify is True and default.insecure is False


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


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda text: text.replace("https://", "http://"),
            "admin_url must start with https:// (over http:// the unit token",
        ),
        (
            lambda text: text + "tls_verify: false\n",
            "tls_verify: false needs insecure: true as well",
        ),
        (
            lambda text: text + "tls_verify: false\ninsecure: false\n",
            "tls_verify: false needs insecure: true as well",
        ),
    ],
)
def test_an_admin_reached_over_http_or_unverified_tls_is_refused_and_the_last_good_copy_stays(
    config, admin, tmp_path, change, error
):
    """Refused before anything is sent (the token would travel in clear or to an impostor);
    a unit configured that way before keeps its last good configuration."""
    run(config)
    admin.publish(make_bundle(2, "[sales]\nstrategy = ringall\n"))
    config.write_text(change(config.read_text()))
    end_pass(config)
    assert run(config) == (0, "[sales]\nmusicclass = x\n")
    assert error in _log(tmp_path)
    (tmp_path / "cache" / "last-good.sha256").unlink()  # no copy: a comment and a failure
    status, text = run(config)
    assert status == client.EXIT_NO_CONFIG and error in text


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
