"""uzor-confgen over HTTPS: the admin's certificate is verified against the configured CA."""

from __future__ import annotations

import datetime
import io
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.pbx import confgen as client

from .test_confgen import FakeAdmin


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "uzor-test-admin")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "admin.pem", directory / "admin.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def https_admin(tmp_path):
    cert, key = _self_signed(tmp_path)
    admin = FakeAdmin()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    admin.socket = context.wrap_socket(admin.socket, server_side=True)
    yield admin, cert
    admin.shutdown()
    admin.server_close()


def _config(tmp_path: Path, url: str, extra: str) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"admin_url: {url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 3\n{extra}"
    )
    return path


def _run(config: Path) -> tuple[int, str]:
    out = io.StringIO()
    return client.main(["--config", str(config), "queues.conf"], stdout=out), out.getvalue()


def test_it_fetches_over_https_when_the_ca_file_vouches_for_the_admin(tmp_path, https_admin):
    admin, cert = https_admin
    url = admin.url.replace("http://", "https://")
    assert _run(_config(tmp_path, url, f"ca_file: {cert}\n")) == (0, "[sales]\nmusicclass = x\n")


def test_it_refuses_an_admin_certificate_it_cannot_verify(tmp_path, https_admin):
    admin, _cert = https_admin
    status, text = _run(_config(tmp_path, admin.url.replace("http://", "https://"), ""))
    assert status == client.EXIT_NO_CONFIG
    assert "CERTIFICATE_VERIFY_FAILED" in text
