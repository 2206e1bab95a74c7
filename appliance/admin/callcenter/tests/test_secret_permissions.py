"""An insider with view-only admin rights plays the attacker: every action that shows or changes a
secret (PBX unit tokens, workplace SIP secrets, revisions holding passwords) needs the change
permission, and a token is shown once on its own page, never in the messages cookie."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.dialplan import create_revisions
from appliance.admin.callcenter.dialplan.tests.model import build_model, make_unit
from appliance.admin.callcenter.models import PbxUnit, Workplace

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer():
    user = User.objects.create_user("viewer", password="viewer-pass-123", is_staff=True)
    models = ("pbxunit", "workplace", "revision")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="callcenter", codename__in=[f"view_{m}" for m in models]
        )
    )
    return _client(user)


@pytest.fixture
def root():
    return _client(User.objects.create_superuser("root", "root@example.com", "root-pass-123"))


def _action(client: Client, model, action: str, pk: int):
    changelist = reverse(f"admin:callcenter_{model._meta.model_name}_changelist")
    return client.post(changelist, {"action": action, "_selected_action": [str(pk)]})


def test_a_viewer_cannot_issue_unit_tokens(viewer, root):
    unit, _token = make_unit()
    before = unit.token_hash
    response = _action(viewer, PbxUnit, "issue_tokens", unit.pk)
    unit.refresh_from_db()
    assert unit.token_hash == before
    assert "uzor-token" not in response.content.decode()

    issued = _action(root, PbxUnit, "issue_tokens", unit.pk)
    unit.refresh_from_db()
    assert unit.token_hash != before
    assert issued.status_code == 200 and 'class="uzor-token"' in issued.content.decode()
    assert "no-store" in issued["Cache-Control"]
    assert "messages" not in root.cookies or "uzor-token" not in root.cookies["messages"].value


def test_a_viewer_cannot_regenerate_sip_secrets(viewer, tmp_path):
    model = build_model(tmp_path)
    before = model.workplace.sip_secret
    _action(viewer, Workplace, "regenerate_secrets", model.workplace.pk)
    model.workplace.refresh_from_db()
    assert model.workplace.sip_secret == before


def test_a_viewer_sees_a_revision_without_the_passwords_it_holds(viewer, root, tmp_path):
    model = build_model(tmp_path)
    unit, _token = make_unit()
    revision = create_revisions([unit])[unit.pk]
    page = reverse("admin:callcenter_revision_change", args=[revision.pk])

    seen = viewer.get(page)
    assert seen.status_code == 200
    assert model.workplace.sip_secret not in seen.content.decode()
    assert model.workplace.sip_secret in root.get(page).content.decode()


def test_the_token_page_speaks_russian(root):
    unit, _token = make_unit()
    changelist = reverse("admin:callcenter_pbxunit_changelist")
    data = {"action": "issue_tokens", "_selected_action": [str(unit.pk)]}
    page = root.post(changelist, data, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    for text in (
        "Токены конфигурации",
        "показывается только сейчас",
        "На юните, от root",
        "Сохраните токен",
        "Готово",
    ):
        assert text in page
