"""The manual's section 3 walkthrough objects, as the admin's add forms take them: ONE source
for the walkthrough test (appliance/admin/callcenter/tests/test_walkthrough.py) and the demo's
seed (installer/demo_seed.py, which runs inside the appliance, where
testkit.appliance.walkthrough_seed() sends this module's source along with it: keep it standard
library only). Related objects are passed by
primary key."""

from __future__ import annotations

from typing import Any

Form = dict[str, Any]

OPERATOR = "101"
OPERATOR_PASSWORD = "agent-101"
WORKPLACE_MAC = "E8-03-9A-B5-E0-C9"
DID = "74951234567"
TOPIC = "1000"
OUTBOUND_PREFIX = "111"
CARRIER_HOST = "sipnet.ru"

# name, description, file name, seconds of tone
SOUNDS = (("hold", "music", "hold.mp3", 3), ("greeting", "hello", "greeting.flac", 1))


def inline_management(prefix: str, rows: list[Form] | None = None) -> Form:
    """The management form plus rows of an admin inline formset."""
    rows = rows or []
    data: Form = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    data.update({f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def group_form(hold: int) -> Form:
    """Group sales with the hold sound."""
    return {
        "name": "sales",
        "hold_sound": str(hold),
        "priority": "0",
        "answer_timeout": "15",
        "strategy": "rrmemory",
    }


def operator_form(sales: int) -> Form:
    """Operator 101 (Иванов Иван) in group sales."""
    return {
        "agent_number": OPERATOR,
        "last_name": "Иванов",
        "first_name": "Иван",
        "middle_name": "",
        "email": "",
        "phone": "",
        "password1": OPERATOR_PASSWORD,
        "password2": OPERATOR_PASSWORD,
        "ring_time": "15",
        "wrapup_time": "10",
        "is_active": "on",
        **inline_management("memberships", [{"group": str(sales), "priority": "0"}]),
    }


def workplace_form() -> Form:
    return {"number": "1", "description": "", "mac": WORKPLACE_MAC}


def schedule_form() -> Form:
    """Schedule "weekend" (Saturday and Sunday) and a holiday."""
    weekly = [{"weekday": day, "start_time": "00:00", "end_time": "23:59"} for day in ("5", "6")]
    return {
        "name": "weekend",
        "description": "Выходные",
        **inline_management("weekly", weekly),
        **inline_management("dates", [{"date": "2026-06-12", "start_time": "", "end_time": ""}]),
    }


def inbound_topic_form(*, weekend: int, greeting: int, hold: int, sales: int) -> Form:
    """The inbound topic for sales, not working at weekends."""
    return {
        "number": TOPIC,
        "description": "Sales line",
        "script_url": "https://app0.example/projects/script_inbound/Operator/ReceiveCall.php",
        "non_working_schedules": [str(weekend)],
        "working_sound": str(greeting),
        "non_working_sound": str(hold),
        "group": str(sales),
        "service_level_seconds": "20",
        "name": "Sales",
        "state": "active",
        "project": "Demo",
        "project_manager": "Petrov",
    }


def outbound_topic_form() -> Form:
    return {
        "prefix": OUTBOUND_PREFIX,
        "description": "Outbound sales",
        "script_url": "https://app0.example/projects/script_outbound/ServiceIncoming.php",
        "name": "",
        "state": "active",
        "project": "",
        "project_manager": "",
    }


def context_form() -> Form:
    return {"name": "from-sipnet", "description": "Sipnet"}


def gateway_form(context: int, host: str = CARRIER_HOST) -> Form:
    """The carrier's gateway; ``host`` stands in where the manual's carrier does not resolve."""
    return {
        "name": "sipnet",
        "description": "",
        "context": str(context),
        "host": host,
        "port": "5060",
        "transport": "udp",
        "username": "0012345",
        "auth_domain": "sipnet.ru",
        "password": "carrier-pass",
        "did": DID,
    }


def transformation_form(context: int) -> Form:
    """The DID to the inbound topic."""
    return {"context": str(context), "pattern": DID, "description": "DID", "result": TOPIC}


def route_form(gateway: int) -> Form:
    """Mobile numbers (_89.) out through the gateway."""
    return {
        "pattern": "_89.",
        "transformation": "${EXTEN}",
        "caller_id": DID,
        "gateway": str(gateway),
        "order": "0",
        "description": "mobile",
    }
