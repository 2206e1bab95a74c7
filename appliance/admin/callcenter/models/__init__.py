"""The call-center model (SPEC section 3)."""

from .calls import AgentTimeDay, AgentTimeMonth, CallDay, CallRecord, DispositionDay, SummarizedDay
from .changes import ChangeCounter, note_change
from .flow_template import FlowTemplate
from .pbx import PbxUnit, hash_token
from .people import Group, Membership, Operator, Workplace
from .recording import LISTEN_PERMISSION, Recording, RecordingAccess, RecordingPolicy
from .revision import Revision
from .routing import (
    INBOUND_CONTEXT,
    OUTBOUND_CONTEXT,
    Context,
    Gateway,
    Route,
    Transformation,
    refuse_builtin_delete,
)
from .schedules import Schedule, SpecificDate, WeeklyRange
from .sounds import Sound
from .supervision import SupervisionEvent
from .topics import InboundTopic, OutboundTopic
from .voicemail import VoicemailMessage
from .work_codes import Disposition, PauseReason

__all__ = [
    "INBOUND_CONTEXT",
    "LISTEN_PERMISSION",
    "OUTBOUND_CONTEXT",
    "AgentTimeDay",
    "AgentTimeMonth",
    "CallDay",
    "CallRecord",
    "ChangeCounter",
    "Context",
    "Disposition",
    "DispositionDay",
    "FlowTemplate",
    "Gateway",
    "Group",
    "InboundTopic",
    "Membership",
    "Operator",
    "OutboundTopic",
    "PauseReason",
    "PbxUnit",
    "Recording",
    "RecordingAccess",
    "RecordingPolicy",
    "Revision",
    "Route",
    "Schedule",
    "Sound",
    "SpecificDate",
    "SummarizedDay",
    "SupervisionEvent",
    "Transformation",
    "VoicemailMessage",
    "WeeklyRange",
    "Workplace",
    "hash_token",
    "note_change",
    "refuse_builtin_delete",
]
