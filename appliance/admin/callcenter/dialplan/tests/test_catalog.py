"""Apply Dialplan's Russian catalog: complete, compiled, and used by the admin pages."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from appliance.admin.callcenter.admin_pages.apply_dialplan import describe
from appliance.admin.callcenter.apply import UnitResult

from .model import make_unit

CATALOG = Path(__file__).resolve().parents[1] / "locale" / "ru" / "LC_MESSAGES"


def test_every_message_is_translated_and_compiled():
    with (CATALOG / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    source = (CATALOG / "django.po").read_text(encoding="utf-8")
    msgids = [line[7:-1] for line in source.splitlines() if line.startswith('msgid "')][1:]
    assert len(msgids) > 50
    same = {"SHA-256", "%(what)s: %(why)s (%(value)s)"}
    assert [m for m in msgids if compiled.gettext(m) == m and m not in same] == []


def test_apply_results_are_reported_in_russian():
    failed = UnitResult("pbx2", False, 5, None, "cannot connect")
    with translation.override("ru"):
        _level, text = describe(failed)
        _level, ok = describe(UnitResult("pbx1", True, 5, 5, ""))
    assert text.startswith("Юнит pbx2: ревизия 5 НЕ применена: cannot connect.")
    assert ok == "Юнит pbx1: ревизия 5 применена."


@pytest.mark.usefixtures("admin_db")
def test_the_pbx_unit_list_shows_the_apply_button_in_both_languages():
    make_unit()
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@uzor.test", "x-Pass-123"))
    english = client.get("/admin/callcenter/pbxunit/", HTTP_ACCEPT_LANGUAGE="en")
    russian = client.get("/admin/callcenter/pbxunit/", HTTP_ACCEPT_LANGUAGE="ru")
    assert "Apply Dialplan</button>" in english.content.decode()
    assert "Применить диалплан</button>" in russian.content.decode()
    translation.activate("en")  # the test client leaves the last request's language active
    assert "Применить диалплан на выбранных юнитах" in russian.content.decode()


@pytest.mark.usefixtures("admin_db")
def test_the_topic_action_needs_the_right_to_change_pbx_units(tmp_path):
    from django.contrib.auth.models import Permission

    from appliance.admin.callcenter.models import Revision

    from .model import build_model

    model = build_model(tmp_path)
    make_unit()
    editor = User.objects.create_user("editor", password="x-Pass-123", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__endswith="inboundtopic"))
    client = Client()
    client.force_login(editor)
    shown = client.post(
        "/admin/callcenter/inboundtopic/",
        {"action": "apply_dialplan_on_all_units", "_selected_action": [str(model.topic.pk)]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    texts = [str(m) for m in shown.context["messages"]]
    assert texts == ["You may not apply the dialplan (it needs the right to change PBX units)."]
    assert not Revision.objects.exists()
