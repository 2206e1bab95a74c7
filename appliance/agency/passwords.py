"""Check webagent passwords (the format is appliance/contracts/passwords.py) in a pool of their
own, so a flood of logins cannot take the threads the rest of the agency needs."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from appliance.contracts.passwords import DECOY_HASH, check_password

__all__ = ["DECOY_HASH", "PasswordChecker", "PasswordPoolBusyError", "check_password"]


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
            ok = await loop.run_in_executor(
                self._pool, check_password, password, encoded or DECOY_HASH
            )
            return ok and encoded is not None
        finally:
            self.waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
