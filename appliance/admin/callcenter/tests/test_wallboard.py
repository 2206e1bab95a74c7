"""The wallboard's page, its token and the barge permission: who may, and what is logged."""

import time

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.models import SupervisionEvent, Workplace
from appliance.admin.callcenter.supervisor_signing import signing_key
from appliance.contracts import supervisor_token as tokens

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def _user(name: str, *codenames: str) -> Client:
    user = User.objects.create_user(name, password="pass-123-pass", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="callcenter", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def workplace():
    return Workplace.objects.create(number="209", mac="a0b1c2d3e4f9", description="boss")


def _public():
    return signing_key().public_key()


def test_the_page_and_its_token_need_the_wallboard_permission() -> None:
    nobody = _user("nobody")
    assert nobody.get(reverse("admin:wallboard")).status_code == 403
    assert nobody.post(reverse("admin:wallboard_token")).status_code == 403
    assert b"wallboard" not in nobody.get(reverse("admin:index")).content.lower()
    viewer = _user("viewer", "view_wallboard")
    page = viewer.get(reverse("admin:wallboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="wallboard-operators"' in html and 'data-can-barge="0"' in html
    assert 'id="wallboard-workplace"' not in html  # no listen controls at all
    assert viewer.get(reverse("admin:wallboard_token")).status_code == 405
    token = viewer.post(reverse("admin:wallboard_token")).json()["token"]
    payload = tokens.verify(_public(), token, tokens.WALLBOARD, time.time())
    assert payload["sub"] == "viewer" and payload["perms"] == ["view_wallboard"]
    assert payload["exp"] <= time.time() + tokens.WALLBOARD_TTL
    assert reverse("admin:wallboard").encode() in viewer.get(reverse("admin:index")).content


def test_the_barge_permission_adds_the_controls_and_signs_a_logged_one_time_ticket(
    workplace,
) -> None:
    boss = _user("boss", "view_wallboard", "barge")
    html = boss.get(reverse("admin:wallboard")).content.decode()
    assert 'data-can-barge="1"' in html and '<option value="209">209 (boss)</option>' in html
    token = boss.post(reverse("admin:wallboard_token")).json()["token"]
    assert tokens.verify(_public(), token, tokens.WALLBOARD, time.time())["perms"] == [
        "view_wallboard",
        "barge",
    ]
    answer = boss.post(
        reverse("admin:wallboard_spy"), {"agent": "101", "mode": "whisper", "workplace": "209"}
    )
    assert answer.status_code == 200
    ticket = tokens.verify(_public(), answer.json()["ticket"], tokens.SPY, time.time())
    assert (ticket["sub"], ticket["agent"], ticket["mode"], ticket["workplace"]) == (
        "boss",
        "101",
        "whisper",
        "209",
    )
    (event,) = SupervisionEvent.objects.all()
    assert (event.user, event.agent, event.mode, event.workplace) == (
        "boss",
        "101",
        "whisper",
        "209",
    )


def test_the_server_refuses_a_spy_to_a_user_without_the_barge_permission(workplace) -> None:
    viewer = _user("viewer", "view_wallboard")
    answer = viewer.post(
        reverse("admin:wallboard_spy"), {"agent": "101", "mode": "listen", "workplace": "209"}
    )
    assert answer.status_code == 403 and "ticket" not in answer.json()
    assert not SupervisionEvent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"agent": "101", "mode": "record", "workplace": "209"},
        {"agent": "101,qB", "mode": "listen", "workplace": "209"},
        {"agent": "101", "mode": "listen", "workplace": "299"},
        {"agent": "101", "mode": "listen", "workplace": "209&PJSIP/x"},
        {"agent": "101", "mode": "listen"},
    ],
)
def test_a_bad_spy_request_is_refused_with_a_reason_and_not_logged(workplace, data) -> None:
    boss = _user("boss", "view_wallboard", "barge")
    answer = boss.post(reverse("admin:wallboard_spy"), data)
    assert answer.status_code == 400 and answer.json()["error"]
    assert not SupervisionEvent.objects.exists()


def test_the_log_is_read_only_in_the_admin(workplace) -> None:
    SupervisionEvent.objects.create(user="boss", agent="101", mode="barge", workplace="209")
    auditor = _user("auditor", "view_supervisionevent")
    page = auditor.get(reverse("admin:callcenter_supervisionevent_changelist"))
    assert page.status_code == 200 and "boss" in page.content.decode()
    assert auditor.get(reverse("admin:callcenter_supervisionevent_add")).status_code == 403


def test_uzor_admin_supervisor_key_prints_the_public_half_the_agency_needs() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("supervisor_key", stdout=out)
    assert out.getvalue().strip() == tokens.public_key_text(signing_key())


def test_the_page_and_its_scripts_texts_are_in_russian() -> None:
    viewer = _user("viewer", "view_wallboard", "barge")
    viewer.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = viewer.get(reverse("admin:wallboard")).content.decode()
    for text in ("Табло", "Очереди", "Уровень обслуживания", "Время в состоянии", "Моё рабочее"):
        assert text in html, text
    texts = viewer.get(reverse("admin:wallboard")).context["texts"]
    assert (texts["talking"], texts["listen"], texts["barge"]) == (
        "разговор",
        "Слушать",
        "Вмешаться",
    )
