"""Check a webagent password against the hash the admin stored with Django's default hasher.

Django is not imported: ``pbkdf2_sha256`` (Django's default) and ``pbkdf2_sha1`` are verified
here with hashlib. Any other algorithm is refused (the admin must keep the PBKDF2 hasher first).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from concurrent.futures import ThreadPoolExecutor

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


# Checked in place of a hash when the agent number is unknown, at the cost of Django 5.2's
# default PBKDF2 (1,000,000 iterations): an unknown agent answers as slowly as a known one.
DECOY_HASH = "pbkdf2_sha256$1000000$uzor-decoy-salt$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


class PasswordPoolBusyError(Exception):
    """More password checks wait than the pool takes: the login is refused, not queued."""


class PasswordChecker:
    """PBKDF2 checks in a pool of their own, so a flood of logins cannot take the threads the
    rest of the agency needs, with a bounded number waiting."""

    def __init__(self, workers: int = 2, max_waiting: int = 64) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="uzor-password")
        self.max_waiting = max_waiting
        self.waiting = 0  # touched only from the event loop's thread

    async def check(self, password: str, encoded: str | None) -> bool:
        """``check_password`` in the pool; an unknown user (``None``) costs the same."""
        if self.waiting >= self.max_waiting:
            raise PasswordPoolBusyError
        self.waiting += 1
        try:
            loop = asyncio.get_running_loop()
            ok = await loop.run_in_executor(self._pool, check_password, password,
                                            encoded or DECOY_HASH)  # fmt: skip
            return ok and encoded is not None
        finally:
            self.waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
