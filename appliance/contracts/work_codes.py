"""Pause reasons and dispositions: the codes the admin defines and the agency offers.

A code is what ACP carries (``set_state`` ``reason``, ``set_disposition`` ``code``), so the
admin accepts only what ACP's pattern accepts, and refuses the pause reasons the agency sets by
itself: they would be indistinguishable in the reports from the system's own states.
"""

from __future__ import annotations

import re

CODE_PATTERN = r"^[a-z0-9_-]{1,32}$"  # ACP's pause reason pattern (acp/schema.json)
CODE_RE = re.compile(r"[a-z0-9_-]{1,32}")  # matched with fullmatch
CODE_MAX_LENGTH = 32

# the agency's own pause reasons: post-call work, the outbound and offline modes' pause, and
# the pause of an operator whose terminal went away
SYSTEM_PAUSE_REASONS = frozenset({"wrapup", "outbound", "offline", "disconnected"})


def is_code(value: str) -> bool:
    return CODE_RE.fullmatch(value or "") is not None
