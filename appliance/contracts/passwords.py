"""The operators' webagent password hashes: the admin writes them, the agency checks them.

The format is Django's PBKDF2 (``<algorithm>$<iterations>$<salt>$<base64 of the derived key>``),
so hashes the admin stored with Django's hasher before this module existed still verify, and
Django can verify what ``hash_password`` makes. ``pbkdf2_sha256`` is written; ``pbkdf2_sha256``
and ``pbkdf2_sha1`` are accepted; any other algorithm, and an unusable password (``!...``), is
refused. Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

ALGORITHM = "pbkdf2_sha256"
ALGORITHMS = {"pbkdf2_sha256": "sha256", "pbkdf2_sha1": "sha1"}
ITERATIONS = 1_000_000  # Django 5.2's default for PBKDF2
MAX_ITERATIONS = 10_000_000  # a stored hash asking for more is refused, not computed
UNUSABLE_PREFIX = "!"  # as Django's make_password(None)
_SALT_CHARS = string.ascii_letters + string.digits
_SALT_LENGTH = 22  # 22 of 62 characters: 128 bits, as Django

# Checked in place of a hash when the agent number is unknown, at the cost of ITERATIONS: an
# unknown agent answers as slowly as a known one.
DECOY_HASH = "pbkdf2_sha256$1000000$uzor-decoy-salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _derive(digest: str, password: str, salt: str, iterations: int) -> str:
    derived = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), iterations)
    return base64.b64encode(derived).decode("ascii").strip()


def hash_password(
    password: str | None, *, salt: str | None = None, iterations: int = ITERATIONS
) -> str:
    """The stored form of ``password``; ``None`` makes an unusable one (never matches)."""
    if password is None:
        return UNUSABLE_PREFIX + secrets.token_urlsafe(30)
    if salt is None:
        salt = "".join(secrets.choice(_SALT_CHARS) for _ in range(_SALT_LENGTH))
    if not salt or "$" in salt:
        raise ValueError("a password salt must be non-empty and must not contain '$'")
    if not 0 < iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be 1 to {MAX_ITERATIONS}")
    digest = ALGORITHMS[ALGORITHM]
    return f"{ALGORITHM}${iterations}${salt}${_derive(digest, password, salt, iterations)}"


def check_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches the stored hash; False for any other hash."""
    algorithm, _, rest = encoded.partition("$")
    digest = ALGORITHMS.get(algorithm)
    if digest is None:
        return False
    iterations_text, _, rest = rest.partition("$")
    salt, _, expected = rest.partition("$")
    if not iterations_text.isdigit() or not salt or not expected:
        return False
    iterations = int(iterations_text)
    if not 0 < iterations <= MAX_ITERATIONS:
        return False
    return hmac.compare_digest(_derive(digest, password, salt, iterations), expected)
