"""Failed-login rate limit: at most N failures per key in a sliding minute."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

WINDOW = 60.0


class LoginLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, keys: Iterable[str]) -> float:
        """Seconds to wait before another attempt with any of ``keys`` (0: go ahead)."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.per_minute:
                wait = max(wait, times[0] + WINDOW - now)
        return wait

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        if len(self._failures) > 10000:
            self._forget_idle(now)
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - WINDOW:
            times.popleft()
        return times

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - WINDOW]:
            del self._failures[key]
