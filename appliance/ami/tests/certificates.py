"""Certificates for the TLS tests, made like uzor-pbx-setup's (self-signed) or signed by one."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Identity:
    pem: str
    key_pem: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:
            cert, key = Path(directory, "cert.pem"), Path(directory, "key.pem")
            cert.write_text(self.pem)
            key.write_text(self.key_pem)
            context.load_cert_chain(cert, key)
        return context


def make_identity(name: str, issuer: Identity | None = None, ca: bool = True) -> Identity:
    """A certificate like uzor-pbx-setup's (self-signed), or one ``issuer`` signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer_key, signer_name = key, subject
    if issuer is not None:
        signer_key = serialization.load_pem_private_key(issuer.key_pem.encode(), None)  # type: ignore[assignment]
        signer_name = x509.load_pem_x509_certificate(issuer.pem.encode()).subject
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Identity(certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode())
