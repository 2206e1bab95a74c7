"""Render the Asterisk configuration of one unit from a snapshot of the model (Jinja2).

The templates only lay out lines; every value is checked and escaped here first (escape.py),
so a template never sees raw user text. Produces the generated files a unit includes through
``#exec uzor-confgen <file>``: pjsip.conf, queues.conf, musiconhold.conf, features.conf,
extensions.conf.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from dataclasses import dataclass
from typing import Any

import jinja2
from django.conf import settings
from django.utils.translation import gettext as _

from appliance.contracts import agency_dialplan
from appliance.contracts.bundle import (
    CONFGEN_PLACEHOLDER,
    SOUNDS_PLACEHOLDER,
    host_addresses_placeholder,
)

from ..callflow.default import standard_flow
from ..callflow.dialplan_text import is_dialplan_flow
from ..callflow.validate import Refs
from ..models import OUTBOUND_CONTEXT
from ..validators import is_reserved_sip_name
from . import escape as esc
from .flows import FlowContext, compile_flow
from .recording import (
    RECORD,
    RECORD_MEMBER,
    RECORD_OPERATORS,
    recorded_operators,
    recording_file_expression,
)
from .schedules import schedule_context, schedule_lines
from .snapshot import OutboundTopicRow, RouteRow, Snapshot, TransformationRow
from .text_flows import compile_text_flow, flow_context_name

SOUNDS_DIR = SOUNDS_PLACEHOLDER  # replaced by uzor-confgen with the unit's sound directory
CONFIG_FILES = ("pjsip.conf", "queues.conf", "musiconhold.conf", "features.conf", "extensions.conf")
RTP_TIMEOUT = 30  # seconds without media before a (browser) call is hung up
TRANSPORTS = {"udp": "transport-udp", "tcp": "transport-tcp"}
# Feature codes for the agency's AMI transfers (features.conf); the queue option lets the
# operator (the called party) use them: t.
FEATURES = {
    "blindxfer": "#1",
    "atxfer": "*2",
    "disconnect": "*0",
    "digit_timeout": 3,
    "no_answer_timeout": 30,
}
QUEUE_OPTIONS = "t"
WORKPLACE_RING = 30  # seconds a transfer to a workplace rings it
# FILTER()'s set of the characters a dialled number may keep (the ACP schema allows the same).
DIALABLE_CHARACTERS = "0-9*#+"
WORKPLACE_PERMIT = ("127.0.0.0/8", "::1/128")  # nginx on this host
SIP_ACL = "uzor-acl"  # the unit-wide SIP ACL's section (uzor-* is reserved for gateway names)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("appliance.admin.callcenter.dialplan", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # noqa: S701 - Asterisk config, not HTML; values escaped in this module
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Header:
    unit: str
    revision: int


def render_unit(snapshot: Snapshot, unit: str, revision: int) -> dict[str, str]:
    """Every generated file of the unit, by name. Raises RenderError naming a bad value."""
    header = Header(esc.name(unit, _("PBX unit name")), revision)
    context: dict[str, Any] = {
        "header": header,
        "workplaces": _workplaces(snapshot),
        "gateways": _gateways(snapshot),
        "queues": _queues(snapshot),
        "moh": _moh_classes(snapshot),
        "rtp_timeout": RTP_TIMEOUT,
        "features": FEATURES,
        "queue_options": QUEUE_OPTIONS,
        "workplace_ring": WORKPLACE_RING,
        "dialable": DIALABLE_CHARACTERS,
        "workplace_permit": _workplace_permit(),
        "sip_acl_name": SIP_ACL,
        "confgen": CONFGEN_PLACEHOLDER,  # uzor-confgen with its --config, on the unit
        "outbound_context": OUTBOUND_CONTEXT,
        "agency_dialplan": agency_dialplan.extensions_conf(),
        "record": RECORD,
        "record_member": RECORD_MEMBER,
        "record_operators": RECORD_OPERATORS,
        "recording_file": recording_file_expression(),
        "recorded_operators": recorded_operators(snapshot.recorded_operators),
    }
    context.update(_dialplan(snapshot))
    return {name: _ENV.get_template(f"{name}.j2").render(context) for name in CONFIG_FILES}


def sound_path(snapshot: Snapshot, sound: str | None) -> str | None:
    if sound is None:
        return None
    esc.name(sound, _("sound name"))
    return f"{SOUNDS_DIR}/{snapshot.sounds[sound].ref}"


def _workplaces(snapshot: Snapshot) -> list[dict[str, str]]:
    result = []
    for row in snapshot.workplaces:
        number = esc.digits(row["number"], _("workplace number"))
        what = _("workplace %(name)s") % {"name": number}
        result.append(
            {
                "number": number,
                "secret": esc.config_value(row["sip_secret"], f"{what}: {_('SIP secret')}"),
                "comment": esc.comment(row["description"]),
            }
        )
    return result


def _gateways(snapshot: Snapshot) -> list[dict[str, Any]]:
    result = []
    for row in snapshot.gateways:
        name = esc.name(str(row["name"]), _("gateway name"))
        what = _("gateway %(name)s") % {"name": name}
        if is_reserved_sip_name(name):
            raise esc.RenderError(f"{what}: {_('the name is reserved on a PBX unit')}")
        host = esc.host(str(row["host"]), f"{what}: {_('address')}")
        domain = str(row["auth_domain"] or "")
        username, password = str(row["username"] or ""), str(row["password"] or "")
        did = str(row["did"] or "")
        result.append(
            {
                "name": name,
                "comment": esc.comment(str(row["description"])),
                "context": _gateway_context(str(row["context__name"]), what),
                "host": host,
                "acl_permit": _acl_permit(host),
                "port": int(str(row["port"])),
                "transport": _transport(str(row["transport"]), what),
                "domain": esc.host(domain, f"{what}: {_('domain')}") if domain else "",
                "username": esc.config_value(username, f"{what}: {_('user name')}")
                if username
                else "",
                "uri_user": esc.sip_user(username, f"{what}: {_('user name')}") if username else "",
                "password": esc.config_value(password, f"{what}: {_('password')}")
                if password
                else "",
                "contact_user": esc.digits(did, f"{what}: {_('DID number')}") if did else "",
            }
        )
    return result


def _acl_permit(host: str) -> str:
    """The unit-wide SIP ACL's line for a gateway: its address, or for a host name a line
    uzor-confgen turns into the addresses the name resolves to on the unit."""
    try:
        return f"permit = {ipaddress.IPv4Address(host)}/32"
    except ValueError:
        return host_addresses_placeholder("permit", host)


def _workplace_permit() -> list[str]:
    """Networks a workplace's SIP may come from (admin.yaml workplace_signalling_from)."""
    networks = getattr(settings, "UZOR_WORKPLACE_SIGNALLING_FROM", None) or WORKPLACE_PERMIT
    return [str(ipaddress.ip_network(n)) for n in networks]


def _transport(value: str, what: str) -> str:
    if value not in TRANSPORTS:
        raise esc.RenderError(f"{what}: {_('transport')}: {value!r}")
    return TRANSPORTS[value]


def _gateway_context(context: str, what: str) -> str:
    if context == OUTBOUND_CONTEXT:
        raise esc.RenderError(
            _(
                "%(what)s: calls from a gateway must not enter the Outbound context (anyone "
                "could call out through it); choose its own context such as from-sipnet"
            )
            % {"what": what}
        )
    return esc.name(context, f"{what}: {_('context')}")


def _queues(snapshot: Snapshot) -> list[dict[str, Any]]:
    return [
        {
            "name": esc.name(group.name, _("group name")),
            "strategy": esc.name(
                group.strategy,
                _("group %(name)s") % {"name": group.name} + ": " + _("ring strategy"),
            ),
            "timeout": group.timeout,
            "weight": group.weight,
            "musicclass": _moh_class(group.hold_sound),
        }
        for group in snapshot.groups
    ]


def _moh_class(sound: str | None) -> str | None:
    return f"uzor-{sound}" if sound else None


def _moh_classes(snapshot: Snapshot) -> list[dict[str, str]]:
    used = sorted({g.hold_sound for g in snapshot.groups if g.hold_sound})
    return [
        {"name": esc.name(f"uzor-{s}", _("hold sound")), "entry": str(sound_path(snapshot, s))}
        for s in used
    ]


def _dialplan(snapshot: Snapshot) -> dict[str, Any]:
    inbound = snapshot.memo.get("inbound")
    if inbound is None:  # the same for every unit: compiled once per snapshot
        flows = _flow_context(snapshot)
        compiled = COMPILED.for_context(flows)
        inbound = [_inbound_topic(snapshot, t, flows, compiled) for t in snapshot.inbound]
        snapshot.memo["inbound"] = inbound
    return {
        "contexts": _custom_contexts(snapshot),
        "schedules": [
            {
                "context": schedule_context(s.id),
                "comment": esc.comment(s.name),
                "lines": schedule_lines(s),
            }
            for s in snapshot.schedules.values()
        ],
        "inbound": inbound,
        "inbound_transformations": [
            _transformation(row, "Inbound") for row in snapshot.inbound_transformations
        ],
        "outbound": [_outbound_topic(row) for row in snapshot.outbound],
        "routes": [_route(row) for row in snapshot.routes],
    }


def _transformation(row: TransformationRow, context: str) -> dict[str, str]:
    what = _("transformation %(pattern)s in %(context)s") % {
        "pattern": row["pattern"],
        "context": context,
    }
    return {
        "pattern": esc.pattern(row["pattern"], what),
        "result": esc.expression(row["result"], what),
        "comment": esc.comment(row["description"]),
    }


def _custom_contexts(snapshot: Snapshot) -> list[dict[str, Any]]:
    return [
        {
            "name": esc.name(name, _("context name")),
            "transformations": [_transformation(row, name) for row in rows],
        }
        for name, rows in snapshot.contexts.items()
    ]


class CompiledFlows:
    """Compiled flows kept across Applies (this process), per set of what they refer to.

    A compiled flow depends only on the flow and on the sounds, groups, schedules and
    workplaces it may refer to (``FlowContext``); when any of those change, the cache starts
    afresh. Topics cloned or made from one template share one entry."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fingerprint = ""
        self.flows: dict[str, list[str]] = {}

    def for_context(self, flows: FlowContext) -> dict[str, list[str]]:
        fingerprint = json.dumps(
            [
                sorted(flows.refs.sounds),
                sorted(flows.refs.groups),
                sorted(flows.refs.schedules),
                sorted(flows.refs.workplaces),
                sorted(flows.sound_paths.items()),
                sorted(flows.schedule_ids.items()),
            ]
        )
        with self.lock:
            if fingerprint != self.fingerprint or len(self.flows) > MAX_COMPILED:
                self.fingerprint, self.flows = fingerprint, {}
            return self.flows


COMPILED = CompiledFlows()
MAX_COMPILED = 20_000


def _flow_context(snapshot: Snapshot) -> FlowContext:
    refs = Refs(
        sounds=set(snapshot.sounds),
        groups={g.name for g in snapshot.groups},
        schedules={s.name for s in snapshot.schedules.values()},
        workplaces=set(snapshot.workplace_numbers),
    )
    return FlowContext(
        refs=refs,
        sound_paths={name: str(sound_path(snapshot, name)) for name in snapshot.sounds},
        schedule_ids={s.name: s.id for s in snapshot.schedules.values()},
    )


def _topic_flow(snapshot: Snapshot, topic: Any) -> dict[str, Any]:
    if topic.flow is not None:
        return dict(topic.flow)
    return standard_flow(
        topic.greeting,
        topic.closed_sound,
        topic.group,
        [snapshot.schedules[s].name for s in topic.schedule_ids],
    )


def _inbound_topic(
    snapshot: Snapshot, topic: Any, flows: FlowContext, compiled: dict[str, list[str]]
) -> dict[str, Any]:
    what = _("inbound topic %(name)s") % {"name": topic.number}
    flow = _topic_flow(snapshot, topic)
    key = json.dumps(flow, sort_keys=True)  # topics cloned or made from a template share one
    text = is_dialplan_flow(flow)
    if key not in compiled:
        compiled[key] = (compile_text_flow if text else compile_flow)(flow, flows, what)
    context = flow_context_name(topic.id) if text else ""
    return {
        "id": topic.id,
        "number": esc.digits(topic.number, what),
        "comment": esc.comment(topic.name),
        "script_url": esc.url_argument(topic.script_url, f"{what}: {_('script URL')}"),
        "hide_caller": topic.hide_caller,
        "record": bool(topic.record),
        # a text flow lives in the topic's own context, entered at s,1
        "flow": [f"n,Goto({context},s,1)"] if text else compiled[key],
        "flow_context": {"name": context, "lines": compiled[key]} if text else None,
        "active": topic.active,  # suspended or closed: the non-working sound, never the flow
        "closed_sound": sound_path(snapshot, topic.closed_sound),
    }


def _outbound_topic(row: OutboundTopicRow) -> dict[str, Any]:
    prefix = esc.digits(str(row["prefix"]), _("outbound topic prefix"))
    return {
        "id": row["id"],
        "prefix": prefix,
        "record": bool(row.get("record_calls")),
        "comment": esc.comment(str(row["name"])),
        "script_url": esc.url_argument(
            str(row["script_url"]),
            _("outbound topic %(name)s") % {"name": prefix} + ": " + _("script URL"),
        ),
    }


def _route(row: RouteRow) -> dict[str, Any]:
    what = _("route %(pattern)s (id %(id)s)") % {"pattern": row["pattern"], "id": row["id"]}
    caller_id = str(row["caller_id"] or "")
    return {
        "context": f"uzor-route-{int(row['id'])}",
        "pattern": esc.pattern(str(row["pattern"]), what),
        "number": esc.expression(
            str(row["transformation"]), f"{what}: {_('number transformation')}"
        ),
        "caller_id": esc.dialable(caller_id, f"{what}: {_('caller ID')}") if caller_id else "",
        "gateway": esc.name(str(row["gateway__name"]), f"{what}: {_('gateway')}"),
        "comment": esc.comment(str(row["description"])),
    }
