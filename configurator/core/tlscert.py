"""TLS certificates for nginx: a self-signed one naming every server address, or the
installer's own certificate and key, checked before nginx is pointed at them."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from configurator.core.files import file_reason
from configurator.core.network import IPAddress
from configurator.i18n import _

SELF_SIGNED_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)


class CertificateError(ValueError):
    """Why a certificate or key cannot be used; ``str()`` is the message for the user."""


@dataclass(frozen=True)
class Pem:
    certificate: bytes
    key: bytes


def make_self_signed(names: list[str], addresses: list[IPAddress], now: dt.datetime) -> Pem:
    """A self-signed certificate for every name and address (subjectAltName) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    common_name = names[0] if names else (str(addresses[0]) if addresses else "uzor")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Uzor (self-signed)"),
        ]
    )
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    alt_names += [x509.IPAddress(ip) for ip in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Pem(
        certificate=cert.public_bytes(serialization.Encoding.PEM),
        key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def subject_alt_names(cert: x509.Certificate) -> tuple[set[str], set[IPAddress]]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    ips: set[IPAddress] = set()
    for value in ext.get_values_for_type(x509.IPAddress):
        if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
            ips.add(value)
    return set(ext.get_values_for_type(x509.DNSName)), ips


def self_signed_is_current(
    cert_path: Path, key_path: Path, names: list[str], addresses: list[IPAddress], now: dt.datetime
) -> bool:
    """True when the certificate we made before still fits: valid for a while yet, its key
    matches and it names every current name and address."""
    try:
        cert = check_pair(cert_path, key_path, now)
    except CertificateError:
        return False
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return False
    dns, ips = subject_alt_names(cert)
    return set(names) <= dns and set(addresses) <= ips


def load_certificate(path: Path, now: dt.datetime) -> x509.Certificate:
    """The first (server) certificate of a PEM file, checked for its validity period."""
    data = _read(path)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise CertificateError(_("{path} is not a PEM certificate.").format(path=path)) from exc
    cert = certs[0]
    if cert.not_valid_after_utc <= now:
        raise CertificateError(
            _("The certificate {path} expired on {date}.").format(
                path=path, date=cert.not_valid_after_utc.date().isoformat()
            )
        )
    if cert.not_valid_before_utc > now:
        raise CertificateError(
            _("The certificate {path} is not valid before {date}.").format(
                path=path, date=cert.not_valid_before_utc.date().isoformat()
            )
        )
    return cert


def check_pair(cert_path: Path, key_path: Path, now: dt.datetime) -> x509.Certificate:
    """Raise CertificateError unless both are PEM, the key is unencrypted and belongs to the
    certificate, and the certificate is valid now. Returns the certificate."""
    cert = load_certificate(cert_path, now)
    key = check_key(key_path)
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise CertificateError(
            _("The key {key} does not belong to the certificate {cert}.").format(
                key=key_path, cert=cert_path
            )
        )
    return cert


def check_key(key_path: Path) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """Raise CertificateError unless the file is an unencrypted RSA or ECDSA PEM private key."""
    data = _read(key_path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:
        raise CertificateError(
            _("The key {path} is protected by a passphrase; nginx needs it without one.").format(
                path=key_path
            )
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertificateError(_("{path} is not a PEM private key.").format(path=key_path)) from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateError(_("The key {path} is neither RSA nor ECDSA.").format(path=key_path))
    return key


def _public_der(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            _("Cannot read {path}: {reason}").format(path=path, reason=file_reason(exc))
        ) from exc
