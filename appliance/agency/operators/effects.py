"""What a state transition asks the service to do on Asterisk (and the terminal)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Join:
    """Add the workplace to the queues of the operator's groups."""

    paused: bool
    reason: str


@dataclass(frozen=True)
class Leave:
    """Remove the workplace from every queue."""


@dataclass(frozen=True)
class Pause:
    """``QueuePause`` paused with a reason (``wrapup`` for post-call work)."""

    reason: str


@dataclass(frozen=True)
class Unpause:
    """``QueuePause`` unpaused: the operator is Ready."""


@dataclass(frozen=True)
class Logout:
    """End the terminal's session (``reason`` for the ``logged_out`` event)."""

    reason: str


Effect = Join | Leave | Pause | Unpause | Logout
