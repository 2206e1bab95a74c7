"""Call records: one row per leg of a call, written by the agency, read by the admin's reports.

The agency owns the table (``AGENCY_CALL_DDL``, created with its others) and writes it from AMI
events as calls happen; the admin reads it for the call list, the reports, the wallboard's
"today" figures and the recordings. Both sides use the names below, so a renamed column fails
a unit test on either side, not a running daemon.

A *call* is what a customer experiences: Asterisk's ``Linkedid`` names it (``call_id``). Each
operator who takes part in it adds a *leg* (``leg`` 0, 1, …): a transfer's new operator is a leg
of kind ``transfer``, a conference's added party a leg of kind ``conference``, each pointing at
the leg it came from (``parent_leg``). A call that never reached an operator (abandoned in the
queue, outside working hours, no route, failed) is leg 0 alone with no ``agent``.

Times are UTC (``DATETIME(6)``); durations are seconds. ``caller`` is always stored; when
``caller_hidden`` is set (the topic hides the number from operators) it is shown only to users
with the permission for it.
"""

from __future__ import annotations

from typing import Final

TABLE: Final = "agency_call"


class Column:
    id = "id"
    call_id = "call_id"  # Asterisk Linkedid of the customer's call
    leg = "leg"  # 0: the first leg; transfers and conferences add 1, 2, ...
    kind = "kind"  # one of KINDS
    parent_leg = "parent_leg"  # the leg a transfer or conference leg came from
    unit = "unit"  # the PBX unit's name
    direction = "direction"  # one of DIRECTIONS
    topic = "topic"  # inbound topic number, or outbound topic prefix
    group_name = "group_name"  # the queue (group) of an inbound call
    did = "did"  # inbound: the number dialled by the customer; outbound: the number dialled
    caller = "caller"  # inbound: the customer's number; outbound: the operator's workplace
    caller_name = "caller_name"
    caller_hidden = "caller_hidden"
    result = "result"  # one of RESULTS
    agent = "agent"  # the operator's agent number (None: no operator)
    workplace = "workplace"
    offered_at = "offered_at"  # the call (or leg) arrived / was dialled
    answered_at = "answered_at"  # an operator (inbound) or the called party (outbound) answered
    ended_at = "ended_at"  # the leg's last channel hung up (None: still going)
    wait_seconds = "wait_seconds"  # in the queue until answered or abandoned
    ring_seconds = "ring_seconds"  # the operator's phone ringing for this leg
    talk_seconds = "talk_seconds"  # answered to hang-up, hold included
    hold_seconds = "hold_seconds"
    wrapup_seconds = "wrapup_seconds"  # the operator's post-call work after this leg
    disposition = "disposition"  # the disposition code the operator gave


DIRECTIONS: Final = ("in", "out")
KINDS: Final = ("call", "transfer", "conference")
RESULTS: Final = (
    "answered",  # an operator (inbound) or the called party (outbound) answered
    "abandoned",  # the customer hung up waiting in the queue or while an operator's phone rang
    "closed",  # arrived outside the topic's working hours
    "no_route",  # no inbound topic for the DID / no outbound route for the number
    "failed",  # could not be connected (outbound: busy, congestion, no answer, a trunk error)
    "active",  # not ended yet
)

AGENCY_CALL_DDL: Final = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    call_id VARCHAR(64) NOT NULL,
    leg SMALLINT NOT NULL DEFAULT 0,
    kind VARCHAR(12) NOT NULL DEFAULT 'call',
    parent_leg SMALLINT NULL,
    unit VARCHAR(64) NOT NULL,
    direction VARCHAR(3) NOT NULL,
    topic VARCHAR(64) NULL,
    group_name VARCHAR(80) NULL,
    did VARCHAR(64) NULL,
    caller VARCHAR(80) NULL,
    caller_name VARCHAR(80) NULL,
    caller_hidden BOOL NOT NULL DEFAULT FALSE,
    result VARCHAR(12) NOT NULL,
    agent VARCHAR(20) NULL,
    workplace VARCHAR(20) NULL,
    offered_at DATETIME(6) NOT NULL,
    answered_at DATETIME(6) NULL,
    ended_at DATETIME(6) NULL,
    wait_seconds DOUBLE NULL,
    ring_seconds DOUBLE NULL,
    talk_seconds DOUBLE NULL,
    hold_seconds DOUBLE NULL,
    wrapup_seconds DOUBLE NULL,
    disposition VARCHAR(32) NULL,
    UNIQUE KEY agency_call_leg (call_id, leg),
    KEY agency_call_offered (offered_at),
    KEY agency_call_topic (direction, topic, offered_at),
    KEY agency_call_agent (agent, offered_at),
    KEY agency_call_open (unit, ended_at)
) CHARACTER SET utf8mb4"""
