"""Check a webagent password against the hash the admin stored with Django's default hasher.

Django is not imported: ``pbkdf2_sha256`` (Django's default) and ``pbkdf2_sha1`` are verified
here with hashlib. Any other algorithm is refused (the admin must keep the PBKDF2 hasher first).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_ALGORITHMS = {"pbkdf2_sha256": "sha256", "pbkdf2_sha1": "sha1"}
MAX_ITERATIONS = 10_000_000


def check_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches the Django-encoded hash; False for any other hash."""
    algorithm, _, rest = encoded.partition("$")
    digest = _ALGORITHMS.get(algorithm)
    if digest is None:
        return False
    iterations_text, _, rest = rest.partition("$")
    salt, _, expected = rest.partition("$")
    if not iterations_text.isdigit() or not salt or not expected:
        return False
    iterations = int(iterations_text)
    if not 0 < iterations <= MAX_ITERATIONS:
        return False
    derived = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), iterations)
    return hmac.compare_digest(base64.b64encode(derived).decode("ascii").strip(), expected)
