"""Short-lived tokens the admin signs for the agency's wallboard (issue 17, item 4).

The agency runs as its own user without the admin's secret key or its sessions table, so it
cannot check a Django login. The admin signs what it decided instead, with its own ed25519 key
(admin.yaml ``supervisor_signing_key``, private, readable only by the admin's user); the agency
verifies with the public half (agency.yaml ``wallboard.public_key``), both written by the
configurator. Two kinds, each its own ``aud`` so one can never pass for the other:

- ``wallboard``: opens the wallboard's WebSocket. ``{"aud": "wallboard", "sub": user,
  "perms": ["view_wallboard", "barge"?], "exp": unix time}``; ``barge`` present only when the
  user holds ``callcenter.barge`` (the page shows the buttons then).
- ``spy``: one listen / whisper / barge the admin allowed and logged. ``{"aud": "spy", "sub":
  user, "agent": operator's agent number, "mode": "listen" | "whisper" | "barge",
  "workplace": the supervisor's workplace number, "exp": ..., "nonce": random}``; the agency
  accepts a nonce once.

A token is ``base64url(payload JSON) + "." + base64url(signature)``; the signature is over
``SIGNATURE_CONTEXT + payload bytes``. Verification needs ``cryptography`` (both sides have it).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_CONTEXT = b"uzor supervisor token 1\n"
WALLBOARD = "wallboard"
SPY = "spy"
VIEW_PERMISSION = "view_wallboard"
BARGE_PERMISSION = "barge"
SPY_MODES = ("listen", "whisper", "barge")
WALLBOARD_TTL = 60.0  # seconds a wallboard token opens the socket (the page asks for a new one)
SPY_TTL = 30.0  # seconds a spy token may be used (once)
MAX_TOKEN_LENGTH = 4096
AGENT_RE = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
WORKPLACE_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")  # a PJSIP endpoint name: no '/', ',', '&'


class TokenError(Exception):
    """The token is not valid now; ``str()`` says why, in English (logged, never shown raw)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: Ed25519PrivateKey, payload: dict[str, Any]) -> str:
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(data)}.{_b64(key.sign(SIGNATURE_CONTEXT + data))}"


def verify(key: Ed25519PublicKey, token: str, audience: str, now: float) -> dict[str, Any]:
    """The payload of a token signed by ``key`` for ``audience`` and not yet expired."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("no token, or one too long")
    body, dot, signature = token.partition(".")
    if not dot:
        raise TokenError("not a token")
    try:
        data, raw_signature = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise TokenError("not base64url") from exc
    try:
        key.verify(raw_signature, SIGNATURE_CONTEXT + data)
    except InvalidSignature as exc:
        raise TokenError("bad signature") from exc
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise TokenError("not JSON") from exc
    if not isinstance(payload, dict) or payload.get("aud") != audience:
        raise TokenError(f"not a {audience} token")
    expires = payload.get("exp")
    if not isinstance(expires, int | float) or expires < now:
        raise TokenError("expired")
    if not isinstance(payload.get("sub"), str) or not payload["sub"]:
        raise TokenError("no user")
    if audience == SPY:
        _check_spy(payload)
    return payload


def _check_spy(payload: dict[str, Any]) -> None:
    if payload.get("mode") not in SPY_MODES:
        raise TokenError("unknown spy mode")
    if not isinstance(payload.get("agent"), str) or not AGENT_RE.match(payload["agent"]):
        raise TokenError("bad agent")
    workplace = payload.get("workplace")
    if not isinstance(workplace, str) or not WORKPLACE_RE.match(workplace):
        raise TokenError("bad workplace")
    if not isinstance(payload.get("nonce"), str) or not payload["nonce"]:
        raise TokenError("no nonce")


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half as a file holds it: the 32 raw bytes in base64, one line."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError("the public key is not base64") from exc
    if len(raw) != 32:
        raise ValueError("the public key is not 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
