"""The change counter the agency polls moves with every change of the model and every Apply."""

import pytest

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.models import (
    ChangeCounter,
    InboundTopic,
    Membership,
    PbxUnit,
    Schedule,
)
from appliance.admin.callcenter.models.changes import COUNTER_ID
from testkit.tools import free_port

from .factories import make_group, make_operator

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def counter() -> int:
    return ChangeCounter.objects.get(pk=COUNTER_ID).value


def make_unit(name: str = "pbx1") -> PbxUnit:
    unit = PbxUnit(
        name=name, address="127.0.0.1", ami_port=free_port(), ami_user="uzor", ami_secret="s3cret"
    )
    unit.save()
    return unit


def test_saving_and_deleting_a_unit_each_move_the_counter_once() -> None:
    before = counter()
    unit = make_unit()
    assert counter() == before + 1
    unit.enabled = False
    unit.save()
    assert counter() == before + 2
    unit.delete()
    assert counter() == before + 3


def test_memberships_and_many_to_many_links_move_the_counter() -> None:
    group, operator = make_group(), make_operator()
    before = counter()
    Membership(operator=operator, group=group, priority=2).save()
    assert counter() == before + 1
    topic = InboundTopic(number="7100", description="Hotline", group=group)
    topic.save()
    night = Schedule(name="night")
    night.save()
    after_save = counter()
    topic.non_working_schedules.add(night)
    assert counter() == after_save + 1


def test_an_apply_moves_the_counter_even_when_the_units_are_down() -> None:
    make_unit()
    before = counter()
    results = apply_dialplan(timeout=2)
    assert [r.ok for r in results] == [False]
    assert counter() > before


def test_a_missing_counter_row_is_made_again() -> None:
    ChangeCounter.objects.all().delete()
    make_unit()
    assert counter() == 1
