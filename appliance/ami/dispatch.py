"""Event dispatch by name: the last step of AMI ingest, kept small because it runs per event."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from appliance.ami.codec import Message, parse_message

log = logging.getLogger(__name__)

Handler = Callable[[Message], None]


class Dispatcher:
    """Calls the handlers subscribed to ``message["Event"]``, then the catch-all handlers.

    A handler that raises is logged and skipped; it never breaks the stream or other handlers.
    Handlers are kept as one tuple per event name (catch-alls appended), so an event costs one
    dict lookup; events nobody subscribed to cost nothing more.
    """

    __slots__ = ("_any", "_by_name", "_names", "_table")

    def __init__(self, names: frozenset[str] | None = None) -> None:
        """``names``: the only events that may be subscribed to (those the AMI user's event
        filter lets through); None: any."""
        self._names = names
        self._by_name: dict[str, list[Handler]] = {}
        self._any: tuple[Handler, ...] = ()
        self._table: dict[str, tuple[Handler, ...]] = {}

    def subscribe(self, name: str | None, handler: Handler) -> None:
        """``name`` None: every event."""
        if self._names is not None and (name is None or name not in self._names):
            raise ValueError(f"AMI event {name or 'any'} is not among the events this link gets")
        if name is None:
            self._any = (*self._any, handler)
        else:
            self._by_name.setdefault(name, []).append(handler)
        self._table = {n: (*hs, *self._any) for n, hs in self._by_name.items()}

    def __call__(self, message: Message) -> None:
        self.dispatch_all((message,))

    def dispatch_raw(self, blocks: Iterable[str]) -> int:
        """Dispatch raw message texts; the number of events seen.

        With a catch-all handler every message is parsed. Otherwise only the events somebody
        subscribed to are: the event name is read from the first line (Asterisk always sends
        ``Event:`` first), anything else is parsed in full, unsolicited responses are dropped.
        """
        if self._any:  # lazily mapped: each message is dispatched while still in cache
            return self.dispatch_all(map(parse_message, blocks))
        table = self._table
        seen = 0
        for block in blocks:
            if block[:7] == "Event: ":
                seen += 1
                end = block.find("\r", 7)
                name = block[7:end] if end > 0 else block[7:]
                if name in table:
                    self._deliver(name, parse_message(block))
            elif block[:10] != "Response: ":
                message = parse_message(block)
                if "Event" in message:
                    seen += 1
                    self._deliver(message["Event"], message)
        return seen

    def _deliver(self, name: str, message: Message) -> None:
        for handler in self._table.get(name, self._any):
            try:
                handler(message)
            except Exception:
                log.exception("AMI event handler failed on %s", name)

    def dispatch_all(self, messages: Iterable[Message]) -> int:
        """Dispatch every event among ``messages``; the number of events seen."""
        table = self._table
        default = self._any
        seen = 0
        for message in messages:
            try:
                name = message["Event"]
            except KeyError:  # a response
                continue
            seen += 1
            for handler in table.get(name, default):
                try:
                    handler(message)
                except Exception:
                    log.exception("AMI event handler failed on %s", name)
        return seen
