"""Who is told when an operator's session changes (the wallboard): a list made before the
operator service and given to its constructor; listeners add themselves once, at start."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.agency.operators.session import Session

Listener = Callable[["Session"], None]


class SessionObservers:
    def __init__(self) -> None:
        self._changed: list[Listener] = []
        self._ended: list[Listener] = []

    def on_changed(self, listener: Listener) -> None:
        self._changed.append(listener)

    def on_ended(self, listener: Listener) -> None:
        self._ended.append(listener)

    def changed(self, session: Session) -> None:
        for listener in self._changed:
            listener(session)

    def ended(self, session: Session) -> None:
        for listener in self._ended:
            listener(session)
