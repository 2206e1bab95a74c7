"""Detached signatures of files (the installer's bundle manifest), with the license keys.

The signature is an armoured block:

    -----BEGIN UZOR SIGNATURE-----
    Key-Id: 0123456789abcdef
    Signature: <base64 ed25519 signature>
    -----END UZOR SIGNATURE-----

The signed message is `b"UZOR-FILE-SIGNATURE-V1\\0" + SHA-512(file bytes)`: hashing lets large
files stream, and the prefix keeps a file signature from ever passing for a license signature
(a license payload is a JSON object and starts with `{`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from licensing import armour
from licensing.errors import FileSignatureInvalid, SignatureMalformed
from licensing.i18n import _
from licensing.keys import key_id

_DOMAIN = b"UZOR-FILE-SIGNATURE-V1\x00"
_CHUNK = 1024 * 1024


def file_message(path: str | os.PathLike[str]) -> bytes:
    digest = hashlib.sha512()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return _DOMAIN + digest.digest()


def sign_file(path: str | os.PathLike[str], private_key: Ed25519PrivateKey) -> str:
    """The armoured detached signature of the file at `path`."""
    signature = private_key.sign(file_message(path))
    return armour.encode(armour.SIGNATURE_LABEL, key_id(private_key.public_key()), signature)


def verify_file(
    path: str | os.PathLike[str],
    signature_text: str,
    public_keys: Mapping[str, Ed25519PublicKey],
    signature_source: str = "",
) -> str:
    """Check a detached signature; returns the signing key id.

    Raises SignatureMalformed, FileSignatureInvalid (changed file or unknown key), or OSError
    when the file cannot be read."""
    source = signature_source or _("the signature text")
    try:
        block = armour.decode(signature_text, armour.SIGNATURE_LABEL, with_payload=False)
    except armour.ArmourError as exc:
        raise SignatureMalformed(path=source, reason=str(exc)) from exc
    key = public_keys.get(block.key_id)
    if key is None:
        reason = _("it is signed with key {key_id}, which is not a trusted key ({known})")
        raise FileSignatureInvalid(
            path=path,
            reason=reason.format(key_id=block.key_id, known=", ".join(sorted(public_keys))),
        )
    try:
        key.verify(block.signature, file_message(path))
    except InvalidSignature as exc:
        reason = _("the file was changed after it was signed, or another key signed it")
        raise FileSignatureInvalid(path=path, reason=reason) from exc
    return block.key_id
