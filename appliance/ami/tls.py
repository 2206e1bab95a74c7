"""AMI over TLS with the unit's own certificate pinned.

``uzor-pbx-setup`` gives a unit whose AMI is reached over the network a self-signed certificate
(its SHA-256 fingerprint printed, the PEM written with ``--ami-cert-out``); the admin stores it
on the PBX unit and both AMI clients trust exactly that certificate: it is the context's only
trust anchor (no system CAs, no host name to check: the unit is known by its address), and after
the handshake the certificate the unit sent must be byte for byte the pinned one.
"""

from __future__ import annotations

import hashlib
import ssl

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

PEM_BEGIN = "-----BEGIN CERTIFICATE-----"


class CertificateTextError(ValueError):
    """The text is not exactly one PEM certificate."""


def certificate_der(pem: str) -> bytes:
    """The DER bytes of exactly one PEM certificate; ``CertificateTextError`` otherwise."""
    text = pem.strip()
    if text.count(PEM_BEGIN) != 1 or not text.startswith(PEM_BEGIN):
        raise CertificateTextError("not exactly one PEM certificate")
    try:
        certificate = x509.load_pem_x509_certificate(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateTextError("not a readable PEM certificate") from exc
    return certificate.public_bytes(Encoding.DER)


def fingerprint(pem: str) -> str:
    """The certificate's SHA-256 fingerprint as openssl prints it (``AB:CD:...``)."""
    digest = hashlib.sha256(certificate_der(pem)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class PinnedCertificate:
    """A client context that trusts one certificate, and the check after the handshake."""

    def __init__(self, pem: str) -> None:
        self.der = certificate_der(pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = False  # the unit is known by its address, pinned below
        context.verify_mode = ssl.CERT_REQUIRED
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the pinned one is the anchor
        context.load_verify_locations(cadata=self.der)  # and the only one
        self.context = context

    def matches(self, ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> bool:
        """Whether the peer sent exactly the pinned certificate."""
        return ssl_object is not None and ssl_object.getpeercert(binary_form=True) == self.der
