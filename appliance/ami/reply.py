"""The reply to one AMI action, gathered from the messages carrying its ActionID (no I/O).

Both clients use it: :mod:`appliance.ami.protocol` (asyncio) and :mod:`appliance.ami.sync`.
"""

from __future__ import annotations

from appliance.ami.codec import Message


class Reply:
    """The reply to one action: its response and, for an event list, the list's events.

    Fed every message that carries the action's ActionID; an event list ends at the event with
    ``EventList: Complete`` (or ``Cancelled``). A response without ``EventList: start`` (an
    error included) is the whole reply.
    """

    __slots__ = ("action", "action_id", "done", "events", "response")

    def __init__(self, action: str, action_id: str) -> None:
        self.action = action
        self.action_id = action_id
        self.response: Message | None = None
        self.events: list[Message] = []
        self.done = False

    def take(self, message: Message) -> bool:
        """Whether ``message`` belongs to this reply (it is then kept)."""
        if self.done or message.get("ActionID") != self.action_id:
            return False
        if self.response is None:
            if "Response" not in message or "Event" in message:
                return False
            self.response = message
            self.done = message.get("EventList", "").lower() != "start"
            return True
        self.events.append(message)
        self.done = message.get("EventList", "").lower() in ("complete", "cancelled")
        return True
