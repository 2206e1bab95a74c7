"""Pause reasons and dispositions: their codes are ACP's, the system's reasons are refused, the
groups they are offered to show in their history."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from appliance.admin.callcenter.models import ChangeCounter, Disposition, Group, PauseReason
from appliance.contracts.work_codes import SYSTEM_PAUSE_REASONS

from .admin_client import form_errors
from .factories import make_group
from .test_admin_pages import url

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def reason(code: str = "lunch", **fields) -> PauseReason:
    row = PauseReason(code=code, name_ru="Обед", name_en="Lunch", **fields)
    row.save()
    return row


@pytest.fixture
def client():
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "root-pass-1"))
    return client


@pytest.mark.parametrize("code", ["Lunch", "обед", "lunch break", "a" * 33, "lunch\n", ""])
def test_a_code_acp_cannot_carry_is_refused(code):
    for model in (PauseReason, Disposition):
        with pytest.raises(ValidationError) as err:
            model(code=code, name_ru="x", name_en="x").save()
        assert "code" in err.value.message_dict


@pytest.mark.parametrize("code", sorted(SYSTEM_PAUSE_REASONS))
def test_the_system_s_own_pause_reasons_are_refused_in_english_and_russian(code):
    with pytest.raises(ValidationError) as err:
        reason(code)
    assert "is the system's own pause reason" in err.value.message_dict["code"][0]
    with translation.override("ru"):
        with pytest.raises(ValidationError) as err:
            reason(code)
        assert "системная причина паузы" in err.value.message_dict["code"][0]


def test_a_disposition_may_share_a_word_with_a_system_pause_reason():
    Disposition(code="outbound", name_ru="Исходящий", name_en="Outbound").save()
    assert Disposition.objects.get().code == "outbound"


def test_max_seconds_is_empty_or_between_one_second_and_a_day():
    assert reason("lunch").max_seconds is None
    assert reason("smoke", max_seconds=300).max_seconds == 300
    for wrong in (0, 24 * 3600 + 1):
        with pytest.raises(ValidationError) as err:
            reason("tech", max_seconds=wrong)
        assert "max_seconds" in err.value.message_dict


def test_codes_are_unique_and_listed_by_order_then_code():
    reason("b-second", ordering=1)
    reason("z-first", ordering=0)
    reason("a-first", ordering=0)
    assert [r.code for r in PauseReason.objects.all()] == ["a-first", "z-first", "b-second"]
    with pytest.raises(ValidationError):
        reason("a-first")


def test_a_change_of_codes_or_their_groups_moves_the_change_counter():
    before = ChangeCounter.objects.get().value if ChangeCounter.objects.exists() else 0
    row = reason()
    after_save = ChangeCounter.objects.get().value
    row.groups.add(make_group("sales"))
    assert before < after_save < ChangeCounter.objects.get().value


def test_a_group_requires_no_disposition_unless_told():
    group = make_group("sales")
    assert group.disposition_required is False
    group.disposition_required = True
    group.save()
    assert Group.objects.get(name="sales").disposition_required


def test_pause_reason_added_and_changed_in_the_admin_with_its_groups_in_history(client):
    sales, support = make_group("sales"), make_group("support")
    data = {
        "code": "lunch",
        "name_ru": "Обед",
        "name_en": "Lunch",
        "max_seconds": "1800",
        "groups": [str(sales.pk)],
        "ordering": "0",
        "active": "on",
    }
    response = client.post(url(PauseReason, "add"), data)
    assert response.status_code == 302, form_errors(response)
    row = PauseReason.objects.get()
    assert row.max_seconds == 1800 and list(row.groups.all()) == [sales]
    data["groups"] = [str(sales.pk), str(support.pk)]
    response = client.post(url(PauseReason, "change", row.pk), data)
    assert response.status_code == 302, form_errors(response)
    history = client.get(url(PauseReason, "history", row.pk)).content.decode()
    assert "groups: sales" in history and "groups: sales, support" in history
    listed = client.get(url(PauseReason, "changelist")).content.decode()
    assert "Обед" in listed and "1800" in listed


def test_a_reserved_pause_reason_is_a_form_error_on_the_code(client):
    data = {"code": "wrapup", "name_ru": "x", "name_en": "x", "ordering": "0"}
    errors = form_errors(client.post(url(PauseReason, "add"), data))
    assert "is the system's own pause reason" in errors["code"][0]


def test_disposition_without_groups_is_offered_to_all(client):
    data = {"code": "sale", "name_ru": "Продажа", "name_en": "Sale", "ordering": "0"}
    response = client.post(url(Disposition, "add"), data)
    assert response.status_code == 302, form_errors(response)
    assert not Disposition.objects.get().groups.exists()
    listed = client.get(url(Disposition, "changelist")).content.decode()
    assert "Продажа" in listed
