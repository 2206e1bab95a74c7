"""Event dispatch by name: the last step of AMI ingest, kept small because it runs per event."""

from __future__ import annotations

import logging
from collections.abc import Callable

from appliance.agency.ami.parser import Message

log = logging.getLogger(__name__)

Handler = Callable[[Message], None]


class Dispatcher:
    """Calls the handlers of ``message["Event"]``, then the catch-all handlers.

    A handler that raises is logged and skipped; it never breaks the stream or other handlers.
    """

    __slots__ = ("_any", "_by_name")

    def __init__(self) -> None:
        self._by_name: dict[str, list[Handler]] = {}
        self._any: list[Handler] = []

    def subscribe(self, name: str | None, handler: Handler) -> None:
        """``name`` None: every event."""
        if name is None:
            self._any.append(handler)
        else:
            self._by_name.setdefault(name, []).append(handler)

    def __call__(self, message: Message) -> None:
        handlers = self._by_name.get(message["Event"])
        if handlers is not None:
            for handler in handlers:
                try:
                    handler(message)
                except Exception:
                    log.exception("AMI event handler failed on %s", message["Event"])
        for handler in self._any:
            try:
                handler(message)
            except Exception:
                log.exception("AMI event handler failed on %s", message["Event"])
