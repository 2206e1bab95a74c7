"""The agency's dialplan on every PBX unit, and the contexts and variables its AMI actions use.

The agency drives calls over AMI into these contexts (Originate, Redirect, BlindTransfer,
Atxfer); it installs ``AGENCY_DIALPLAN`` on a unit with ``DialplanExtensionAdd`` after each
(re)connection and each reload of pbx_config, and the admin renders the same rows into every
unit's extensions.conf (``extensions_conf()``), so they also survive a reload that tells nobody
(``dialplan reload``). One list, two writers: nothing to keep alike by hand.

``OUTBOUND_CONTEXT`` is the admin's context of outbound topics (``<topic prefix><number>``) and
of workplaces by number; the agency originates operators' calls and transfers into it.
"""

from __future__ import annotations

from itertools import groupby

OUTBOUND_CONTEXT = "Outbound"
CONFERENCE_CONTEXT = "uzor-agency-conference"
HOLD_CONTEXT = "uzor-agency-hold"
HELD_EXTEN = "held"  # the held caller, in HOLD_CONTEXT
OPERATOR_EXTEN = "operator"  # the operator's leg while the caller is held, in HOLD_CONTEXT
MOH_VARIABLE = "UZOR_MOH"  # the held caller's music-on-hold class (the group's: uzor-<sound>)
UNHELD_VARIABLE = "UZOR_UNHELD"  # "1" once the caller is taken off hold
# "1" on the caller's channel (and, inherited, every channel of the call) of an inbound topic
# that hides the caller's number: the admin's Inbound context sets it, the agency reads it back
# after a restart (the call's hiding is no longer in its memory)
CALLER_HIDDEN_VARIABLE = "UZOR_CALLER_HIDDEN"

# Where a logged-in operator sits, for the call flows' transfer to an operator: a global
# dialplan variable UZOR_OPERATOR_<agent> holding the operator's workplace number on the
# operator's unit. The agency sets it with ``Setvar`` (the ``call`` right its least-privileged
# AMI user has; AstDB's DBPut would need ``system``) when the operator joins the queues (login,
# resume, reconnect, and after every dialplan reload, which clears the globals), and empties it
# when they leave; the admin's flow compiler reads it with ``GLOBAL(UZOR_OPERATOR_<agent>)``.
OPERATOR_LOCATION_PREFIX = "UZOR_OPERATOR_"


def operator_location(agent: str) -> str:
    """The global variable naming the workplace of operator ``agent``."""
    return f"{OPERATOR_LOCATION_PREFIX}{agent}"


# (context, extension, priority, application, data), in order. A channel redirected out of a
# running application (the caller in Queue) resumes at the priority after the target, one
# without an application (the workplace leg) at the target: so every entry starts with a NoOp
# at 1 and does its work at 2.
AGENCY_DIALPLAN: tuple[tuple[str, str, str, str, str], ...] = (
    (CONFERENCE_CONTEXT, "_X.", "1", "NoOp", "conference"),
    (CONFERENCE_CONTEXT, "_X.", "2", "ConfBridge", "${EXTEN}"),
    (CONFERENCE_CONTEXT, "_X.", "3", "Hangup", ""),
    # the held caller hears the music-on-hold class of its channel (the queue's = the group's);
    # without a usable class it waits in silence rather than being dropped
    (HOLD_CONTEXT, HELD_EXTEN, "1", "NoOp", HELD_EXTEN),
    (HOLD_CONTEXT, HELD_EXTEN, "2", "MusicOnHold", f"${{{MOH_VARIABLE}}}"),
    # taken off hold (the Bridge of unhold) the caller comes back here when that bridge ends:
    # the call is over then, not a new wait
    (HOLD_CONTEXT, HELD_EXTEN, "3", "ExecIf", f'$["${{{UNHELD_VARIABLE}}}" = "1"]?Hangup()'),
    (HOLD_CONTEXT, HELD_EXTEN, "4", "Wait", "3600"),
    (HOLD_CONTEXT, HELD_EXTEN, "5", "Hangup", ""),
    # the operator's leg waits, silent, until it is bridged back
    (HOLD_CONTEXT, OPERATOR_EXTEN, "1", "NoOp", OPERATOR_EXTEN),
    (HOLD_CONTEXT, OPERATOR_EXTEN, "2", "Wait", "3600"),
    (HOLD_CONTEXT, OPERATOR_EXTEN, "3", "Hangup", ""),
)


def extensions_conf(rows: tuple[tuple[str, str, str, str, str], ...] = AGENCY_DIALPLAN) -> str:
    """``rows`` as extensions.conf sections: ``[context]``, then per extension
    ``exten => <ext>,1,<app>(<data>)`` and `` same => n,<app>(<data>)`` (one blank line between
    sections, none after the last). The priorities of an extension must be 1, 2, 3, ..."""
    sections = []
    for context, in_context in groupby(rows, key=lambda row: row[0]):
        lines = [f"[{context}]"]
        for extension, entries in groupby(in_context, key=lambda row: row[1]):
            for expected, (_, _, priority, application, data) in enumerate(entries, 1):
                if priority != str(expected):
                    raise ValueError(f"{context},{extension}: priority {priority}, not {expected}")
                step = f"exten => {extension},1" if expected == 1 else " same => n"
                lines.append(f"{step},{application}({data})")
        sections.append("\n".join(lines))
    return "\n\n".join(sections)
