"""The admin's tables the agency reads with plain SQL (the admin owns them through Django).

Each class names one table (``table``) and, as attributes, the columns the agency reads. The
agency builds its SQL from these names; the admin's unit test
(``appliance/admin/callcenter/tests/test_contracts.py``) checks every table and column against
the Django models' ``_meta``, so a renamed model field fails there, not in a running agency.
"""

from __future__ import annotations

from typing import ClassVar


class Table:
    table: ClassVar[str] = ""

    @classmethod
    def columns(cls) -> dict[str, str]:
        """The columns this contract names, by attribute."""
        return {
            name: value
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if not name.startswith("_") and name != "table" and isinstance(value, str)
        }


class Operator(Table):
    table = "callcenter_operator"
    id = "id"
    agent_number = "agent_number"
    last_name = "last_name"
    first_name = "first_name"
    middle_name = "middle_name"
    password = "password"  # noqa: S105 - a column name; the format is contracts/passwords.py
    wrapup_time = "wrapup_time"
    ring_time = "ring_time"
    is_active = "is_active"


class Group(Table):
    table = "callcenter_group"
    id = "id"
    name = "name"
    description = "description"
    hold_sound_id = "hold_sound_id"
    disposition_required = "disposition_required"


class Membership(Table):
    """An operator's place in a group; ``priority`` is the queue penalty."""

    table = "callcenter_membership"
    operator_id = "operator_id"
    group_id = "group_id"
    priority = "priority"


class Sound(Table):
    table = "callcenter_sound"
    id = "id"
    name = "name"


class Workplace(Table):
    table = "callcenter_workplace"
    number = "number"
    mac = "mac"
    sip_secret = "sip_secret"  # noqa: S105 - a column name
    description = "description"


class InboundTopic(Table):
    table = "callcenter_inboundtopic"
    number = "number"
    description = "description"
    script_url = "script_url"
    hide_caller_number = "hide_caller_number"
    group_id = "group_id"
    service_level_seconds = "service_level_seconds"


class OutboundTopic(Table):
    table = "callcenter_outboundtopic"
    prefix = "prefix"
    description = "description"
    script_url = "script_url"


class PbxUnit(Table):
    table = "callcenter_pbxunit"
    name = "name"
    address = "address"
    ami_port = "ami_port"
    ami_user = "ami_user"
    ami_secret = "ami_secret"  # noqa: S105 - a column name
    # the agency's own, least-privileged AMI user (empty: units registered before it; the
    # agency then uses the admin's)
    agency_ami_user = "agency_ami_user"
    agency_ami_secret = "agency_ami_secret"  # noqa: S105 - a column name
    # the unit's AMI certificate (PEM) to pin for AMI over TLS; empty: plain TCP
    ami_tls_certificate = "ami_tls_certificate"
    ws_address = "ws_address"
    sip_address = "sip_address"
    enabled = "enabled"


class PauseReason(Table):
    """A pause reason the admin defines; ``max_seconds`` NULL: the agency's pause limit."""

    table = "callcenter_pausereason"
    id = "id"
    code = "code"
    name_ru = "name_ru"
    name_en = "name_en"
    max_seconds = "max_seconds"
    ordering = "ordering"
    active = "active"


class PauseReasonGroup(Table):
    """The groups a pause reason is offered to (none: every group)."""

    table = "callcenter_pausereason_groups"
    reason_id = "pausereason_id"
    group_id = "group_id"


class Disposition(Table):
    table = "callcenter_disposition"
    id = "id"
    code = "code"
    name_ru = "name_ru"
    name_en = "name_en"
    ordering = "ordering"
    active = "active"


class DispositionGroup(Table):
    """The groups a disposition is offered to (none: every group)."""

    table = "callcenter_disposition_groups"
    disposition_id = "disposition_id"
    group_id = "group_id"


class ChangeCounter(Table):
    """One row (``ROW_ID``) whose ``value`` the admin bumps with every change of its model and
    at the end of every Apply Dialplan (appliance/agency/admin_watch.py polls it)."""

    table = "callcenter_changecounter"
    id = "id"
    value = "value"


CHANGE_COUNTER_ROW = 1

TABLES: tuple[type[Table], ...] = (
    Operator,
    Group,
    Membership,
    Sound,
    Workplace,
    InboundTopic,
    OutboundTopic,
    PbxUnit,
    PauseReason,
    PauseReasonGroup,
    Disposition,
    DispositionGroup,
    ChangeCounter,
)

# The agency's own tables: it creates them (``appliance.agency.database.SCHEMA``) and may do
# anything with them. With ``TABLES`` this is every table the agency's database account is
# granted (configurator/core/dbsetup.py ``agency_grants``).
AGENCY_TABLES: tuple[str, ...] = (
    "agency_interval",
    "agency_session",
    "agency_disposition",
    "agency_call",
)
