"""The manual's section 3 walkthrough, end to end through the admin pages, as a browser does it."""

import subprocess

import pytest
from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.models import (
    Context,
    Gateway,
    Group,
    InboundTopic,
    Operator,
    OutboundTopic,
    Route,
    Schedule,
    Sound,
    Transformation,
    Workplace,
)
from testkit import walkthrough

from .admin_client import form_errors
from .factories import tone_file

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def add(client, model_name, data, **extra):
    response = client.post(reverse(f"admin:callcenter_{model_name}_add"), data, **extra)
    assert response.status_code == 302, form_errors(response)
    return response


def login(username, password):
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_the_manual_walkthrough(tmp_path):
    User.objects.create_superuser("root", "", "root-Pass-2026")
    root = login("root", "root-Pass-2026")
    index = root.get("/admin/").content.decode()
    assert "Callcenter" in index and "Authentication and Authorization" in index

    # Group "support" with every callcenter permission.
    callcenter_perms = Permission.objects.filter(content_type__app_label="callcenter")
    response = root.post(
        reverse("admin:auth_group_add"),
        {"name": "support", "permissions": [str(p.pk) for p in callcenter_perms]},
    )
    assert response.status_code == 302, form_errors(response)
    support = UserGroup.objects.get(name="support")
    assert support.permissions.count() == callcenter_perms.count() > 40

    # User "admin": password, then "Save and continue editing", staff status, group support.
    response = root.post(
        reverse("admin:auth_user_add"),
        {
            "username": "admin",
            "usable_password": "true",
            "password1": "Adm1n-pass-2026",
            "password2": "Adm1n-pass-2026",
            "_continue": "1",
        },
    )
    assert response.status_code == 302, form_errors(response)
    admin_user = User.objects.get(username="admin")
    response = root.post(
        reverse("admin:auth_user_change", args=[admin_user.pk]),
        {
            "username": "admin",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "groups": [str(support.pk)],
            "date_joined_0": "2026-11-26",
            "date_joined_1": "06:00:00",
            "initial-date_joined_0": "2026-11-26",
            "initial-date_joined_1": "06:00:00",
        },
    )
    assert response.status_code == 302, form_errors(response)

    # Log in as admin: only the CALLCENTER section.
    client = login("admin", "Adm1n-pass-2026")
    index = client.get("/admin/").content.decode()
    assert "Callcenter" in index
    assert "Authentication and Authorization" not in index
    assert reverse("admin:auth_user_changelist") not in index
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403

    # Sounds: converted on upload.
    for name, description, file_name, seconds in walkthrough.SOUNDS:
        upload = tone_file(tmp_path, file_name, seconds)
        add(client, "sound", {"name": name, "description": description, "file": upload})
    hold = Sound.objects.get(name="hold")
    soxi = subprocess.run(["soxi", hold.file.path], capture_output=True, text=True, check=True)
    assert "Sample Rate    : 8000" in soxi.stdout and "Channels       : 1" in soxi.stdout
    assert "16-bit" in soxi.stdout

    # Group sales with the hold sound.
    add(client, "group", walkthrough.group_form(hold.pk))
    sales = Group.objects.get(name="sales")

    # An operator in sales.
    add(client, "operator", walkthrough.operator_form(sales.pk))
    assert Operator.objects.get(agent_number="101").groups.get() == sales

    # A workplace with E8-03-9A-B5-E0-C9 and its webagent link.
    add(client, "workplace", walkthrough.workplace_form())
    assert Workplace.objects.get(number="1").mac == "e8039ab5e0c9"
    listing = client.get(reverse("admin:callcenter_workplace_changelist")).content.decode()
    assert "/agent/?host=e8039ab5e0c9" in listing

    # A schedule "weekend" and a holiday.
    add(client, "schedule", walkthrough.schedule_form())
    weekend = Schedule.objects.get(name="weekend")
    assert weekend.weekly.count() == 2 and weekend.dates.count() == 1

    # An inbound topic for sales, not working at weekends.
    greeting = Sound.objects.get(name="greeting")
    topic_form = walkthrough.inbound_topic_form(
        weekend=weekend.pk, greeting=greeting.pk, hold=hold.pk, sales=sales.pk
    )
    add(client, "inboundtopic", topic_form)
    topic = InboundTopic.objects.get(number="1000")
    assert list(topic.non_working_schedules.all()) == [weekend]

    # An outbound topic with prefix 111.
    add(client, "outboundtopic", walkthrough.outbound_topic_form())
    assert OutboundTopic.objects.get().prefix == "111"

    # Context from-sipnet, gateway, transformation, route _89.
    add(client, "context", walkthrough.context_form())
    sipnet_context = Context.objects.get(name="from-sipnet")
    add(client, "gateway", walkthrough.gateway_form(sipnet_context.pk))
    gateway = Gateway.objects.get(name="sipnet")
    add(client, "transformation", walkthrough.transformation_form(sipnet_context.pk))
    assert Transformation.objects.get().result == topic.number
    add(client, "route", walkthrough.route_form(gateway.pk))
    assert Route.objects.get().pattern == "_89."

    # The built-in contexts are there; history shows who changed the gateway.
    assert set(Context.objects.values_list("name", flat=True)) >= {
        "Inbound",
        "Outbound",
        "from-sipnet",
    }
    history = client.get(reverse("admin:callcenter_gateway_history", args=[gateway.pk]))
    assert "admin" in history.content.decode()


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "ru",
            [
                "Операторы",
                "Рабочие места",
                "Входящие темы",
                "Исходящие темы",
                "Звуки",
                "Расписания",
                "Контексты",
                "Шлюзы",
                "Преобразования",
                "Маршруты",
                "Группы",
            ],
            ["Workplaces"],
        ),
        (
            "en",
            [
                "Operators",
                "Workplaces",
                "Inbound topics",
                "Outbound topics",
                "Sounds",
                "Schedules",
                "Contexts",
                "Gateways",
                "Transformations",
                "Routes",
            ],
            ["Операторы"],
        ),
    ],
)
def test_pages_render_in_the_browsers_language(language, expected, absent):
    User.objects.create_superuser("root", "", "root-Pass-2026")
    client = login("root", "root-Pass-2026")
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in index, text
    for text in absent:
        assert text not in index, text
    page = client.get(reverse("admin:callcenter_operator_add"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200


def test_form_errors_are_in_russian_for_a_russian_browser():
    User.objects.create_superuser("root", "", "root-Pass-2026")
    client = login("root", "root-Pass-2026")
    response = client.post(
        reverse("admin:callcenter_workplace_add"),
        {"number": "1", "mac": "zz"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert "Это не MAC-адрес" in form_errors(response)["mac"][0]
    page = client.get(reverse("admin:callcenter_operator_add"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Номер агента" in page.content.decode()
