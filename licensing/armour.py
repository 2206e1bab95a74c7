"""The armoured text blocks: a license and a detached file signature.

    -----BEGIN UZOR LICENSE-----
    Key-Id: 0123456789abcdef
    Signature: <base64 of the 64-byte ed25519 signature of the payload bytes>

    <base64 of the JSON payload bytes, wrapped at 64 columns>
    -----END UZOR LICENSE-----

The signature covers the exact payload bytes (the base64 only carries them). There is no
algorithm field: the algorithm is always ed25519. Parsing works on whitespace-separated tokens,
so text around the block (an e-mail) and line breaks turned into spaces by a paste do no harm.
Headers are exactly the expected ones, each once; anything else makes the block malformed.
"""

from __future__ import annotations

import base64
import re
import textwrap
from dataclasses import dataclass

from licensing.i18n import _

LICENSE_LABEL = "UZOR LICENSE"
SIGNATURE_LABEL = "UZOR SIGNATURE"
SIGNATURE_LENGTH = 64
MAX_ARMOUR_CHARS = 256 * 1024
_KEY_ID_RE = re.compile(r"^[0-9a-f]{16}$")
_WRAP = 64


@dataclass(frozen=True)
class Armoured:
    """The decoded content of one block."""

    key_id: str
    signature: bytes
    payload: bytes


class ArmourError(ValueError):
    """The text is not a well-formed block; the message says what is wrong."""


def encode(label: str, key_id: str, signature: bytes, payload: bytes = b"") -> str:
    lines = [
        f"-----BEGIN {label}-----",
        f"Key-Id: {key_id}",
        f"Signature: {base64.b64encode(signature).decode('ascii')}",
    ]
    if payload:
        lines.append("")
        lines.extend(textwrap.wrap(base64.b64encode(payload).decode("ascii"), _WRAP))
    lines.append(f"-----END {label}-----")
    return "\n".join(lines) + "\n"


def decode(text: str, label: str, *, with_payload: bool = True) -> Armoured:
    """Decode one block; raises ArmourError naming what is wrong."""
    if len(text) > MAX_ARMOUR_CHARS:
        raise ArmourError(_("the text is far too long"))
    inner = _inner_text(text, label)
    tokens = inner.split()
    headers: dict[str, str] = {}
    position = 0
    while position < len(tokens) and tokens[position].endswith(":"):
        name = tokens[position][:-1]
        if name not in {"Key-Id", "Signature"}:
            raise ArmourError(_("unexpected header '{name}'").format(name=name[:40]))
        if name in headers:
            raise ArmourError(_("the header '{name}' appears twice").format(name=name))
        if position + 1 >= len(tokens):
            raise ArmourError(_("the header '{name}' has no value").format(name=name))
        headers[name] = tokens[position + 1]
        position += 2
    for name in ("Key-Id", "Signature"):
        if name not in headers:
            raise ArmourError(_("the header '{name}' is missing").format(name=name))
    key_id = headers["Key-Id"]
    if not _KEY_ID_RE.match(key_id):
        raise ArmourError(_("the key id must be 16 lower-case hex digits"))
    signature = _b64(headers["Signature"], _("the signature"))
    if len(signature) != SIGNATURE_LENGTH:
        raise ArmourError(_("the signature must be 64 bytes long"))
    body = "".join(tokens[position:])
    if with_payload and not body:
        raise ArmourError(_("the payload is missing"))
    if not with_payload and body:
        raise ArmourError(_("unexpected text after the headers"))
    return Armoured(key_id=key_id, signature=signature, payload=_b64(body, _("the payload")))


def _inner_text(text: str, label: str) -> str:
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if text.count(begin) != 1 or text.count(end) != 1:
        if begin not in text:
            raise ArmourError(_("the line {marker} is missing").format(marker=begin))
        if end not in text:
            raise ArmourError(
                _("the line {marker} is missing: the text is cut off").format(marker=end)
            )
        raise ArmourError(_("the text holds more than one block"))
    start = text.index(begin) + len(begin)
    stop = text.index(end)
    if stop < start:
        raise ArmourError(_("the END line comes before the BEGIN line"))
    return text[start:stop]


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ArmourError(_("{what} is not valid base64").format(what=what)) from exc
