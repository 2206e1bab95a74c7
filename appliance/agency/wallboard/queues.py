"""Today's queue figures for the wallboard, counted from the queue events the agency sees.

Why events, not Asterisk's own ``QueueStatus`` counters (``Completed``, ``Abandoned``,
``ServicelevelPerf``): those count since the queue was loaded (a reload or ``queue reset
stats`` resets them, midnight does not), with one ``servicelevel`` per queue in queues.conf,
while Uzor's threshold is per inbound topic (``InboundTopic.service_level_seconds``) and many
topics may share one group's queue. Counting ``QueueCallerJoin`` / ``AgentConnect`` /
``QueueCallerAbandon`` / ``QueueCallerLeave`` here gives "today" (reset at local midnight)
and each call's own topic's threshold. What waits now is re-learnt from ``QueueStatus``
(``QueueEntry``) after every (re)connection. Known limit: the day's answered / abandoned
counts start again from zero when the agency restarts (the call records, issue 17 item 1, hold
the full history for the reports).

Service level: the share of today's calls that left the queue (answered + abandoned) which
were answered within their topic's threshold, in percent; None before the first such call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from appliance.ami.codec import Message

DEFAULT_THRESHOLD = 20  # seconds, when the call's topic is not known (the admin's default)


@dataclass
class Waiting:
    queue: str
    joined: float
    threshold: int


@dataclass
class QueueFigures:
    name: str
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    waiting: dict[tuple[str, str], Waiting] = field(default_factory=dict)

    def service_level(self) -> float | None:
        finished = self.answered + self.abandoned
        return None if finished == 0 else round(100.0 * self.answered_in_time / finished, 1)

    def row(self) -> dict[str, Any]:
        oldest = min(self.waiting.values(), key=lambda w: w.joined, default=None)
        return {
            "name": self.name,
            "waiting": len(self.waiting),
            "oldest_since": None if oldest is None else oldest.joined,
            "threshold": DEFAULT_THRESHOLD if oldest is None else oldest.threshold,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "service_level": self.service_level(),
        }


class QueueBoard:
    """Figures per queue (group) name, over every unit; ``changed`` gets each queue that moved."""

    def __init__(
        self,
        threshold_of: Callable[[str], int | None],
        changed: Callable[[QueueFigures], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold_of = threshold_of  # a topic's number -> its seconds (None: unknown)
        self.changed = changed
        self.clock = clock
        self.queues: dict[str, QueueFigures] = {}
        self._day = self._today()

    def _today(self) -> date:
        return datetime.fromtimestamp(self.clock()).date()

    def roll_day(self) -> None:
        """At the first look after midnight the day's counts start again (the waiting stay)."""
        today = self._today()
        if today != self._day:
            self._day = today
            for figures in self.queues.values():
                figures.answered = figures.answered_in_time = figures.abandoned = 0
                self.changed(figures)

    def _queue(self, name: str) -> QueueFigures:
        self.roll_day()
        if name not in self.queues:
            self.queues[name] = QueueFigures(name)
        return self.queues[name]

    def rows(self) -> list[dict[str, Any]]:
        self.roll_day()
        return [self.queues[name].row() for name in sorted(self.queues)]

    def _threshold(self, event: Message) -> int:
        found = self.threshold_of(event.get("Exten", ""))
        return DEFAULT_THRESHOLD if found is None else found

    # events ----------------------------------------------------------------------------------
    def on_join(self, unit: str, event: Message) -> None:
        figures = self._queue(event.get("Queue", ""))
        key = (unit, event.get("Uniqueid", ""))
        figures.waiting[key] = Waiting(figures.name, self.clock(), self._threshold(event))
        self.changed(figures)

    def on_connect(self, unit: str, event: Message) -> None:
        figures = self._queue(event.get("Queue", ""))
        waited = _seconds(event.get("HoldTime", ""))
        left = figures.waiting.pop((unit, event.get("Uniqueid", "")), None)
        threshold = left.threshold if left is not None else self._threshold(event)
        figures.answered += 1
        if waited is not None and waited <= threshold:
            figures.answered_in_time += 1
        self.changed(figures)

    def on_abandon(self, unit: str, event: Message) -> None:
        figures = self._queue(event.get("Queue", ""))
        figures.waiting.pop((unit, event.get("Uniqueid", "")), None)
        figures.abandoned += 1
        self.changed(figures)

    def on_leave(self, unit: str, event: Message) -> None:
        """Left the queue: answered, abandoned (counted by their own events) or timed out."""
        figures = self._queue(event.get("Queue", ""))
        if figures.waiting.pop((unit, event.get("Uniqueid", "")), None) is not None:
            self.changed(figures)

    # resync ----------------------------------------------------------------------------------
    def resync(self, unit: str, entries: Iterable[Message]) -> None:
        """The unit's ``QueueStatus`` after a (re)connection: its queues, and who waits now."""
        now = self.clock()
        touched: set[str] = set()
        for figures in self.queues.values():
            for key in [k for k in figures.waiting if k[0] == unit]:
                del figures.waiting[key]
                touched.add(figures.name)
        for entry in entries:
            kind = entry.get("Event")
            if kind == "QueueParams":
                touched.add(self._queue(entry.get("Queue", "")).name)
            elif kind == "QueueEntry":
                figures = self._queue(entry.get("Queue", ""))
                waited = _seconds(entry.get("Wait", "")) or 0
                key = (unit, entry.get("Uniqueid", ""))
                figures.waiting[key] = Waiting(figures.name, now - waited, self._threshold(entry))
                touched.add(figures.name)
        for name in sorted(touched):
            self.changed(self.queues[name])

    def lost(self, unit: str) -> None:
        """The unit's link is down: what waited there is no longer known."""
        for figures in self.queues.values():
            keys = [k for k in figures.waiting if k[0] == unit]
            for key in keys:
                del figures.waiting[key]
            if keys:
                self.changed(figures)


def _seconds(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
