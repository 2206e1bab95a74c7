"""ALLOWED_HOSTS [auto]: this machine's names and addresses and the served certificate's."""

import datetime as dt
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.admin.uzor_admin.hosts import served_hosts


def certificate(path: Path, names: list[str], addresses: list[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.UTC)
    sans = [x509.DNSName(n) for n in names]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_the_served_certificates_names_and_this_machines_are_allowed(tmp_path: Path) -> None:
    certificate(tmp_path / "own.crt", ["cc.example.com", "*.cc.example.com"], ["203.0.113.5"])
    snippet = tmp_path / "uzor-tls.conf"
    snippet.write_text(f"ssl_certificate {tmp_path / 'own.crt'};\nssl_certificate_key x;\n")

    hosts = served_hosts(snippet)
    assert {"cc.example.com", ".cc.example.com", "203.0.113.5"} <= set(hosts)
    assert {"localhost", "127.0.0.1", "[::1]", socket.gethostname()} <= set(hosts)
    assert "*" not in hosts and "evil.example" not in hosts


def test_without_a_readable_certificate_the_machines_own_names_remain(tmp_path: Path) -> None:
    hosts = served_hosts(tmp_path / "missing.conf")
    assert "localhost" in hosts and socket.gethostname() in hosts
    (tmp_path / "broken.conf").write_text("ssl_certificate /nonexistent.crt;\n")
    assert served_hosts(tmp_path / "broken.conf") == hosts
