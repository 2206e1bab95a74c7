"""Inbound topics by number, cached so AMI event handlers never wait for the database."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from appliance.agency.database import INBOUND_TOPICS, Database, InboundTopicRecord

log = logging.getLogger(__name__)


class TopicCache:
    def __init__(
        self, store: Database, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._topics: dict[str, InboundTopicRecord] = {}
        self._loaded = float("-inf")

    def get(self, number: str) -> InboundTopicRecord | None:
        return self._topics.get(number)

    def hides_number(self, number: str) -> bool:
        topic = self._topics.get(number)
        return topic is not None and topic.hide_number

    def stale(self) -> bool:
        return self.clock() - self._loaded > self.ttl

    async def refresh(self) -> None:
        rows = await self.store.query(INBOUND_TOPICS)
        self._topics = {
            r["number"]: InboundTopicRecord(
                r["number"],
                r["description"],
                r["script_url"] or None,
                bool(r["hide_caller_number"]),
                r["grp"],
                int(r["service_level_seconds"]),
            )
            for r in rows
        }
        self._loaded = self.clock()
