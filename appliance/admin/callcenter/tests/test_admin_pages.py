import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.models import (
    Context,
    Disposition,
    Gateway,
    Group,
    InboundTopic,
    Operator,
    OutboundTopic,
    PauseReason,
    PbxUnit,
    Route,
    Schedule,
    Sound,
    Transformation,
    Workplace,
)
from appliance.ami.tests.certificates import make_identity

from .admin_client import form_errors, inline_management
from .factories import make_context, make_gateway, make_group, make_operator, tone_file

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]

ALL_MODELS = [
    Sound,
    Group,
    Operator,
    Workplace,
    PauseReason,
    Disposition,
    Schedule,
    InboundTopic,
    OutboundTopic,
    Context,
    Gateway,
    Transformation,
    Route,
    PbxUnit,
]


@pytest.fixture
def root():
    return User.objects.create_superuser("root", "root@example.com", "root-pass-123")


@pytest.fixture
def client(root):
    client = Client()
    client.force_login(root)
    return client


def url(model, view, *args):
    return reverse(f"admin:callcenter_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_and_add_page_renders(client, model):
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 200


def test_the_index_lists_the_callcenter_section(client):
    page = client.get(reverse("admin:index")).content.decode()
    assert "Callcenter" in page
    for model in ALL_MODELS:
        assert url(model, "changelist") in page


def test_operator_add_change_history_and_delete(client, root):
    sales = make_group("sales")
    data = {
        "agent_number": "101",
        "last_name": "Ivanov",
        "first_name": "Ivan",
        "middle_name": "",
        "email": "",
        "phone": "",
        "password1": "agent-pass",
        "password2": "agent-pass",
        "ring_time": "20",
        "wrapup_time": "30",
        "is_active": "on",
        **inline_management("memberships", [{"group": str(sales.pk), "priority": "2"}]),
        "_continue": "1",
    }
    response = client.post(url(Operator, "add"), data)
    assert response.status_code == 302, form_errors(response)
    operator = Operator.objects.get(agent_number="101")
    assert operator.check_password("agent-pass") and "agent-pass" not in operator.password
    assert operator.memberships.get().priority == 2

    change = {**data, "password1": "", "password2": "", "last_name": "Petrov"}
    change.update(
        inline_management(
            "memberships",
            [
                {
                    "group": str(sales.pk),
                    "priority": "3",
                    "id": str(operator.memberships.get().pk),
                    "operator": str(operator.pk),
                },
            ],
        )
    )
    change["memberships-INITIAL_FORMS"] = "1"
    response = client.post(url(Operator, "change", operator.pk), change)
    assert response.status_code == 302, form_errors(response)
    operator.refresh_from_db()
    assert operator.last_name == "Petrov" and operator.check_password("agent-pass")

    history = client.get(url(Operator, "history", operator.pk)).content.decode()
    assert "root" in history
    assert re.search(r"Ivanov\s*(&nbsp;)*&rarr;(&nbsp;)*\s*Petrov", history), history
    assert "groups: sales (3)" in history and "groups: sales (2)" in history

    page = client.get(url(Operator, "delete", operator.pk))
    assert page.status_code == 200 and b"Are you sure" in page.content
    response = client.post(url(Operator, "delete", operator.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Operator.objects.filter(agent_number="101").exists()


def test_operator_form_refuses_a_short_agent_number_and_missing_password(client):
    data = {
        "agent_number": "12",
        "ring_time": "15",
        "wrapup_time": "10",
        **inline_management("memberships"),
    }
    response = client.post(url(Operator, "add"), data)
    errors = form_errors(response)
    assert "agent_number" in errors and "password1" in errors
    assert not Operator.objects.exists()


def test_save_and_add_another(client):
    data = {
        "name": "support",
        "priority": "0",
        "answer_timeout": "15",
        "strategy": "rrmemory",
        "_addanother": "1",
    }
    response = client.post(url(Group, "add"), data)
    assert response.status_code == 302 and response["Location"] == url(Group, "add")


def test_workplace_mac_is_normalised_and_the_list_links_the_webagent(client):
    response = client.post(
        url(Workplace, "add"), {"number": "1", "description": "", "mac": "E8-03-9A-B5-E0-C9"}
    )
    assert response.status_code == 302, form_errors(response)
    workplace = Workplace.objects.get(number="1")
    assert workplace.mac == "e8039ab5e0c9"
    listing = client.get(url(Workplace, "changelist")).content.decode()
    assert "https://uzor.test/agent/?host=e8039ab5e0c9" in listing
    assert workplace.sip_secret not in listing
    assert (
        workplace.sip_secret
        not in client.get(url(Workplace, "change", workplace.pk)).content.decode()
    )
    found = client.get(url(Workplace, "changelist"), {"q": "E8:03:9A"}).content.decode()
    assert "e8039ab5e0c9" in found


def test_workplace_bad_mac_is_a_form_error(client):
    response = client.post(url(Workplace, "add"), {"number": "2", "mac": "E8-03-9A-B5-E0"})
    assert "mac" in form_errors(response)
    assert not Workplace.objects.exists()


def test_outbound_prefix_errors_name_the_field(client):
    OutboundTopic(prefix="111").save()
    for prefix in ("811", "11", "1a"):
        response = client.post(url(OutboundTopic, "add"), {"prefix": prefix, "state": "active"})
        assert "prefix" in form_errors(response), prefix


def test_route_pattern_and_transformation_errors_name_the_field(client):
    gateway = make_gateway()
    response = client.post(
        url(Route, "add"),
        {
            "pattern": "_8[9",
            "transformation": "${CALLERID(num)}",
            "gateway": str(gateway.pk),
            "order": "0",
        },
    )
    errors = form_errors(response)
    assert "pattern" in errors and "transformation" in errors
    assert not Route.objects.exists()


def test_sound_upload_through_the_admin_and_a_broken_file_refused(client, tmp_path):
    response = client.post(
        url(Sound, "add"),
        {
            "name": "greeting",
            "description": "hello",
            "file": tone_file(tmp_path, "greeting.ogg"),
        },
    )
    assert response.status_code == 302, form_errors(response)
    sound = Sound.objects.get(name="greeting")
    audio = client.get(reverse("admin:callcenter_sound_audio", args=[sound.pk]))
    assert audio.status_code == 200 and b"".join(audio.streaming_content)[:4] == b"RIFF"

    (tmp_path / "fake.wav").write_bytes(b"RIFF....WAVEfmt this is broken")
    with open(tmp_path / "fake.wav", "rb") as fake:
        response = client.post(url(Sound, "add"), {"name": "broken", "file": fake})
    errors = form_errors(response)
    assert "file" in errors and "audio" in errors["file"][0]
    assert not Sound.objects.filter(name="broken").exists()


def test_builtin_contexts_cannot_be_deleted_from_the_admin(client):
    inbound = Context.inbound()
    page = client.get(url(Context, "change", inbound.pk)).content.decode()
    assert url(Context, "delete", inbound.pk) not in page
    response = client.post(
        url(Context, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(inbound.pk)],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 302)
    assert Context.objects.filter(pk=inbound.pk).exists()
    custom = make_context("from-sipnet")
    response = client.post(url(Context, "delete", custom.pk), {"post": "yes"})
    assert response.status_code == 302 and not Context.objects.filter(name="from-sipnet").exists()


def test_inbound_context_page_lists_the_topics(client):
    InboundTopic(number="1000", group=make_group()).save()
    page = client.get(url(Context, "change", Context.inbound().pk)).content.decode()
    assert "1000" in page


def test_gateway_password_is_write_only(client):
    context = make_context()
    data = {
        "name": "sipnet",
        "context": str(context.pk),
        "host": "sipnet.ru",
        "port": "5060",
        "transport": "udp",
        "username": "u1",
        "auth_domain": "",
        "password": "carrier-secret",
        "did": "74951234567",
    }
    assert client.post(url(Gateway, "add"), data).status_code == 302
    gateway = Gateway.objects.get(name="sipnet")
    assert "carrier-secret" not in client.get(url(Gateway, "change", gateway.pk)).content.decode()
    assert "carrier-secret" not in client.get(url(Gateway, "changelist")).content.decode()
    response = client.post(
        url(Gateway, "change", gateway.pk), {**data, "password": "", "port": "5070"}
    )
    assert response.status_code == 302, form_errors(response)
    gateway.refresh_from_db()
    assert gateway.password == "carrier-secret" and gateway.port == 5070


def test_pbx_unit_gets_a_token_shown_once(client):
    data = {
        "name": "pbx1",
        "address": "127.0.0.1",
        "ami_port": "5038",
        "ami_user": "uzor",
        "ami_secret": "ami-secret-1",
        "enabled": "on",
    }
    response = client.post(url(PbxUnit, "add"), data)
    unit = PbxUnit.objects.get(name="pbx1")
    token = re.search(r'class="uzor-token" data-unit="pbx1">([^<]+)<', response.content.decode())
    assert response.status_code == 200 and token, response.content.decode()[:2000]
    assert unit.check_token(token.group(1))
    assert "no-store" in response["Cache-Control"]
    assert "--unit pbx1 --token-file /root/uzor-unit-token" in response.content.decode()
    assert token.group(1) not in "".join(c.value for c in client.cookies.values())
    assert token.group(1) not in client.get(url(PbxUnit, "change", unit.pk)).content.decode()


def test_pbx_unit_pins_its_ami_certificate_and_plain_ami_over_a_network_is_warned(client):
    data = {
        "name": "pbx1",
        "address": "192.0.2.20",
        "ami_port": "5038",
        "ami_user": "uzor-admin",
        "ami_secret": "ami-secret-1",
        "enabled": "on",
    }
    page = client.post(url(PbxUnit, "add"), data).content.decode()  # the token page
    assert "AMI to 192.0.2.20 is plain TCP" in page
    unit = PbxUnit.objects.get(name="pbx1")

    bad = {**data, "ami_port": "5039", "ami_tls_certificate": "-----BEGIN CERTIFICATE-----\nx"}
    response = client.post(url(PbxUnit, "change", unit.pk), bad)
    assert "Not one PEM certificate" in form_errors(response)["ami_tls_certificate"][0]

    pem = make_identity("uzor-ami pbx1").pem
    response = client.post(
        url(PbxUnit, "change", unit.pk), {**data, "ami_port": "5039", "ami_tls_certificate": pem}
    )
    assert response.status_code == 302, form_errors(response)
    unit.refresh_from_db()
    assert unit.ami_tls_certificate.strip() == pem.strip()
    assert "plain TCP" not in client.get(response["Location"]).content.decode()


def test_operators_changelist_filters_and_searches(client):
    sales, support = make_group("sales"), make_group("support")
    first, second = make_operator("201"), make_operator("202")
    first.groups.add(sales)
    second.groups.add(support)
    page = client.get(url(Operator, "changelist"), {"groups__id__exact": sales.pk}).content.decode()
    assert "201" in page and "202" not in page
    page = client.get(url(Operator, "changelist"), {"q": "202"}).content.decode()
    assert "202" in page and "201</a>" not in page


def test_schedule_range_changes_show_in_its_history(client):
    data = {
        "name": "night",
        "description": "",
        **inline_management(
            "weekly", [{"weekday": "0", "start_time": "00:00", "end_time": "08:00"}]
        ),
        **inline_management("dates"),
    }
    assert client.post(url(Schedule, "add"), data).status_code == 302
    schedule = Schedule.objects.get(name="night")
    weekly = schedule.weekly.get()
    change = {
        **data,
        **inline_management(
            "weekly",
            [
                {
                    "weekday": "0",
                    "start_time": "00:00",
                    "end_time": "09:00",
                    "id": str(weekly.pk),
                    "schedule": str(schedule.pk),
                }
            ],
        ),
        "weekly-INITIAL_FORMS": "1",
    }
    response = client.post(url(Schedule, "change", schedule.pk), change)
    assert response.status_code == 302, form_errors(response)
    history = client.get(url(Schedule, "history", schedule.pk)).content.decode()
    assert "periods: Monday 00:00-09:00" in history
    assert "periods: Monday 00:00-08:00" in history


def test_the_index_follows_the_manuals_order(client):
    page = client.get(reverse("admin:index")).content.decode()
    positions = [page.index(url(model, "changelist")) for model in ALL_MODELS]
    assert positions == sorted(positions)
    assert page.index(url(Sound, "changelist")) < page.index(reverse("admin:auth_user_changelist"))


def test_a_sound_without_a_name_is_named_after_its_file(client, tmp_path):
    response = client.post(
        url(Sound, "add"), {"name": "", "file": tone_file(tmp_path, "Hold Music 1.wav")}
    )
    assert response.status_code == 302, form_errors(response)
    assert Sound.objects.get().name == "Hold_Music_1"
    response = client.post(
        url(Sound, "add"), {"name": "", "file": tone_file(tmp_path, "привет.wav")}
    )
    assert "Latin" in form_errors(response)["name"][0]


def test_the_action_checkbox_markup_matches_djangos(client):
    from django.contrib.admin import ModelAdmin

    operator = make_operator("301")
    ours = client.get(url(Operator, "changelist")).content.decode()
    django_markup = ModelAdmin(Operator, None).action_checkbox(operator)
    assert django_markup in ours


def test_the_action_checkbox_label_is_translated(client):
    make_operator("302")
    page = client.get(url(Operator, "changelist"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Выбрать этот объект, чтобы применить к нему действие - 302" in page


@pytest.mark.parametrize("weak", ["agent1", "12345678901", "password123", "qwertyuiop"])
def test_operator_form_refuses_a_weak_webagent_password(client, weak):
    data = {
        "agent_number": "101",
        "password1": weak,
        "password2": weak,
        "ring_time": "15",
        "wrapup_time": "10",
        **inline_management("memberships"),
    }
    response = client.post(url(Operator, "add"), data, HTTP_ACCEPT_LANGUAGE="ru")
    assert "password1" in form_errors(response)
    assert not Operator.objects.exists()
