"""Call recording in the generated dialplan: MixMonitor when the topic or the operator says so.

Every queue of a call flow runs ``RECORD_MEMBER`` on the operator's channel once the operator
answers (Queue's gosub argument; ``MEMBERNAME`` there is the agent number the agency gives in
QueueAdd); an outbound topic runs ``RECORD`` on the workplace's channel before the number is
routed (``UZOR_AGENT`` is the agency's Originate variable). ``RECORD`` records when the call's
topic set ``UZOR_RECORD`` to 1 (inherited by the operator's channel) or when the operator is in
``RECORD_OPERATORS``. MixMonitor's option ``b`` records only while the channel is bridged, so a
file is as long as the talk.

The file name is built only from ``FILTER``-ed values (``[-.0-9A-Za-z]`` for the Linkedid and
the uniqueid, digits for the topic number, the agent and the time, ``a-z`` for the direction)
joined by ``_``: MixMonitor runs its command (uzor-confgen --recording <file>) through a shell,
so nothing a caller or a SIP peer controls can reach it. uzor-confgen checks the name again
(``RECORDING_NAME_RE`` in contracts/bundle.py) before it uploads the file.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from appliance.contracts.bundle import RECORDINGS_PLACEHOLDER

from . import escape as esc

RECORD = "uzor-record"
RECORD_MEMBER = "uzor-record-member"
RECORD_OPERATORS = "uzor-record-operators"
RECORDINGS_DIR = RECORDINGS_PLACEHOLDER  # uzor-confgen's cache_dir/recordings on the unit
# FILTER()'s sets: a Linkedid or uniqueid ("1733480000.12", the agency's "uzor-<hex>"); a leading
# '-' is a literal hyphen to FILTER, not a range
ID_CHARACTERS = "-.0-9A-Za-z"


def queue_line(group: str, options: str, timeout: str = "") -> str:
    """Queue() of a call flow, with the gosub that starts recording on the answering operator's
    channel (Queue's 7th argument)."""
    return f"Queue({group},{options},,,{timeout},,{RECORD_MEMBER})"


def recorded_operators(agent_numbers: list[str]) -> list[str]:
    """The agent numbers whose calls are recorded, checked as digits (dialplan extensions)."""
    return sorted({esc.digits(a, _("agent number")) for a in agent_numbers})


def recording_file_expression() -> str:
    """The dialplan expression of a recording's path on the unit (every part FILTER-ed)."""
    ids = ID_CHARACTERS
    return (
        f"{RECORDINGS_DIR}/${{FILTER(0-9,${{EPOCH}})}}"
        f"_${{FILTER({ids},${{CHANNEL(linkedid)}})}}"
        f"_${{FILTER({ids},${{UNIQUEID}})}}"
        f"_${{FILTER(a-z,${{UZOR_TOPIC_KIND}})}}"
        f"_${{FILTER(0-9,${{UZOR_TOPIC_NUMBER}})}}"
        "_${LOCAL(agent)}.wav"
    )
