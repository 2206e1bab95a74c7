"""Login rate limit: at most N attempts that did not succeed per key in a sliding minute.

An attempt takes its slot *before* the password is checked (:meth:`LoginLimiter.reserve`), so
fifty logins sent at once cannot all pass the check while the first hashes are still running; a
login that succeeds gives its slots back. Keys live in an LRU order: each attempt costs O(1)
amortized, and the table never holds more than ``max_keys`` keys.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WINDOW = 60.0
MAX_KEYS = 100_000


@dataclass(frozen=True)
class Reservation:
    keys: tuple[str, ...]
    at: float
    shared: tuple[str, ...] = ()


class LoginLimiter:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._clock = clock
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._running: dict[str, int] = {}  # shared key -> checks under way

    def reserve(
        self, keys: Sequence[str], shared: Sequence[str] = ()
    ) -> tuple[Reservation | None, float]:
        """Take a slot under every key (and a running check under every shared key), or none:
        ``(reservation, 0)`` to go ahead, or ``(None, seconds)`` to wait before the next try."""
        now = self._clock()
        queues = [self._recent(key, now) for key in (*keys, *shared)]
        wait = max((q[0] + WINDOW - now for q in queues if len(q) >= self.per_minute), default=0.0)
        if wait > 0:
            return None, wait
        if any(self.busy(key) for key in shared):
            return None, 1.0  # as soon as a check under way ends
        for queue in queues[: len(keys)]:
            queue.append(now)
        for key in shared:
            self._running[key] = self._running.get(key, 0) + 1
        self._evict(now)
        return Reservation(tuple(keys), now, tuple(shared)), 0.0

    def succeeded(self, reservation: Reservation) -> None:
        """The attempt was right: its slots are given back, and its agent's failures forgotten."""
        self._done(reservation)
        for key in reservation.keys:
            queue = self._attempts.get(key)
            if queue is not None and reservation.at in queue:
                queue.remove(reservation.at)  # at most per_minute entries

    def busy(self, shared_key: str) -> bool:
        """As many checks as allowed are under way for ``shared_key``."""
        return self._running.get(shared_key, 0) >= self.per_minute

    def failed(self, reservation: Reservation) -> None:
        """The attempt guessed wrong: its slots stay taken, and its shared keys are charged."""
        self._done(reservation)
        now = self._clock()
        for key in reservation.shared:
            self._recent(key, now).append(now)
        self._evict(now)

    def _done(self, reservation: Reservation) -> None:
        for key in reservation.shared:
            running = self._running.get(key, 0) - 1
            if running > 0:
                self._running[key] = running
            else:
                self._running.pop(key, None)

    def forget(self, key: str) -> None:
        self._attempts.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        queue = self._attempts.get(key)
        if queue is None:
            queue = self._attempts[key] = deque()
        else:
            self._attempts.move_to_end(key)
        while queue and queue[0] <= now - WINDOW:
            queue.popleft()
        return queue

    def _evict(self, now: float) -> None:
        """Drop keys idle for a window from the cold end; past max_keys, the coldest ones."""
        while self._attempts:
            key, queue = next(iter(self._attempts.items()))
            idle = not queue or queue[-1] <= now - WINDOW
            if not idle and len(self._attempts) <= self.max_keys:
                return
            del self._attempts[key]
