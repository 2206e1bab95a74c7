"""Resume tokens: what a terminal shows to take up its session again after a reconnect, a page
reload or an agency restart, without sending the operator's password (and without the PBKDF2
check it costs).

The agency hands out a random token at each login with the password and keeps only its SHA-256
with the session (in the session's saved data, so it survives a restart); the token lives as
long as the session, and a new login with the password replaces it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh token (URL-safe text, for the terminal) and its hash (for the session)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, expected_hash: object) -> bool:
    """``token`` is the one whose hash the session keeps (compared in constant time)."""
    if not isinstance(expected_hash, str) or not expected_hash:
        return False
    return hmac.compare_digest(token_hash(token), expected_hash)
