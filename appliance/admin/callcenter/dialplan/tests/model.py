"""A small call-center model for the rendering and apply tests (the manual's walkthrough)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from appliance.admin.callcenter.models import (
    Context,
    Gateway,
    Group,
    InboundTopic,
    Membership,
    Operator,
    OutboundTopic,
    PbxUnit,
    Route,
    Schedule,
    Sound,
    Transformation,
    WeeklyRange,
    Workplace,
)
from appliance.admin.callcenter.tests.factories import tone_file


@dataclass
class Model:
    sales: Group
    workplace: Workplace
    topic: InboundTopic
    outbound: OutboundTopic
    gateway: Gateway
    route: Route
    schedule: Schedule
    greeting: Sound
    closed: Sound


def make_sound(tmp_path: Path, name: str, seconds: float = 1.0) -> Sound:
    sound = Sound(name=name, file=tone_file(tmp_path, f"{name}.mp3", seconds))
    sound.save()
    return sound


def build_model(tmp_path: Path, gateway_host: str = "sipnet.ru", gateway_port: int = 5060) -> Model:
    greeting, closed, hold = (make_sound(tmp_path, n) for n in ("greeting", "closed", "hold"))
    sales = Group(name="sales", hold_sound=hold, answer_timeout=20, strategy="rrmemory")
    sales.save()
    operator = Operator(agent_number="101", wrapup_time=7)
    operator.set_password("s3cret-pass")
    operator.save()
    Membership(operator=operator, group=sales).save()
    workplace = Workplace(number="1001", mac="E8-03-9A-B5-E0-C9")
    workplace.save()
    night = Schedule(name="night")
    night.save()
    WeeklyRange(
        schedule=night,
        weekday=6,
        start_time=datetime.time(0, 0),
        end_time=datetime.time(23, 59),
    ).save()
    topic = InboundTopic(
        number="74950000001",
        name="Sales line",
        script_url="https://crm.example/s?id=1",
        working_sound=greeting,
        non_working_sound=closed,
        group=sales,
    )
    topic.save()
    topic.non_working_schedules.set([night])
    outbound = OutboundTopic(prefix="111", name="Calls out")
    outbound.save()
    context = Context(name="from-sipnet")
    context.save()
    gateway = Gateway(
        name="sipnet", context=context, host=gateway_host, port=gateway_port, did="74951234567"
    )
    gateway.save()
    Transformation(context=context, pattern="74951234567", result="74950000001").save()
    route = Route(pattern="_89.", gateway=gateway, caller_id="74951112233")
    route.save()
    return Model(sales, workplace, topic, outbound, gateway, route, night, greeting, closed)


def make_unit(
    name: str = "pbx1",
    host: str = "127.0.0.1",
    port: int = 5038,
    user: str = "uzor",
    secret: str = "ami-secret",  # noqa: S107
) -> tuple[PbxUnit, str]:
    unit = PbxUnit(name=name, address=host, ami_port=port, ami_user=user, ami_secret=secret)
    token = unit.issue_token()
    unit.save()
    return unit, token
