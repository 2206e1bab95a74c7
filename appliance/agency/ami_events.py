"""The AMI events the agency reads: the event filter of its AMI user on every unit.

``uzor-pbx-setup`` gives the agency's AMI user (``uzor-agency``) one ``eventfilter`` per name
here, so Asterisk sends the agency these events and drops the rest before they are written:
a queued call makes ~45 events the user's classes allow (channel states, caller ids, device
states, bridges made and destroyed, queue member states, RTCP reports) of which the agency
reads ~16. Responses to actions (the lists of ``QueueStatus``, ``CoreShowChannels``) are never
filtered. The agency's dispatchers refuse a subscription to any other event, and a test keeps
this set, the subscriptions and the script's filter the same.
"""

from __future__ import annotations

EVENTS = frozenset(
    {
        "AgentCalled",
        "AgentConnect",
        "AgentRingNoAnswer",
        "BridgeEnter",
        "BridgeLeave",
        "ConfbridgeJoin",
        "DialBegin",
        "DialEnd",
        "FullyBooted",
        "Hangup",
        "Hold",
        "MusicOnHoldStart",
        "MusicOnHoldStop",
        "Newchannel",
        "QueueCallerAbandon",
        "QueueCallerJoin",
        "QueueCallerLeave",
        "Reload",
        "Unhold",
        "UserEvent",
    }
)
