"""The Russian admin shows no untranslated text: every page of the call-center section, its
forms' errors and its history, rendered with Accept-Language: ru, contains none of the English
texts of our catalogs nor of the texts Django and django-simple-history show there."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.models import Operator, PbxUnit

from .factories import make_group, make_operator
from .test_admin_pages import ALL_MODELS, url

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]

ADMIN = Path(__file__).resolve().parents[2]
CATALOGS = [
    ADMIN / "locale/ru/LC_MESSAGES/django.po",
    ADMIN / "callcenter/dialplan/locale/ru/LC_MESSAGES/django.po",
]
SAME_IN_RUSSIAN = {"AMI", "SIP", "SHA-256", "Apply Dialplan", "URL", "DID"}
# English words Django or simple-history show when a translation is missing
FOREIGN = ["Changes", "None", "Can add", "Can change", "Can delete", "Can view", "History"]


def english_texts() -> set[str]:
    texts: set[str] = set()
    for catalog in CATALOGS:
        source = catalog.read_text(encoding="utf-8")
        for block in source.split("\n\n")[1:]:
            lines = [line for line in block.splitlines() if line.startswith(("msgid", '"'))]
            msgid = "".join(re.findall(r'"(.*)"', "\n".join(lines).split("msgid_plural")[0]))
            if "%" in msgid or "{" in msgid or msgid in SAME_IN_RUSSIAN:
                continue
            if len(msgid.split()) >= 2 or (msgid[:1].isupper() and len(msgid) > 3):
                texts.add(msgid.replace('\\"', '"'))
    return texts


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def russian() -> Client:
    root = User.objects.create_superuser("root", "root@example.com", "root-pass-123")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(root)
    return client


def pages(client: Client) -> dict[str, str]:
    group = make_group("sales")
    operator = make_operator()
    operator.first_name = "Пётр"
    operator.save()
    unit = PbxUnit(name="pbx1", address="127.0.0.1", ami_user="uzor", ami_secret="x")
    unit.save()
    paths = [reverse("admin:index"), reverse("admin:app_list", args=["callcenter"])]
    for model in ALL_MODELS:
        paths += [url(model, "changelist"), url(model, "add")]
    paths += [url(Operator, "change", operator.pk), url(Operator, "history", operator.pk),
              url(PbxUnit, "change", unit.pk), reverse("admin:auth_group_add"),
              f"{url(type(group), 'change', group.pk)}"]  # fmt: skip
    return {path: visible_text(client.get(path).content.decode()) for path in paths}


def test_no_russian_page_shows_an_untranslated_text(russian: Client) -> None:
    texts = english_texts()
    found = {
        path: sorted(
            {t for t in texts if t in text}
            | {w for w in FOREIGN if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)}
        )
        for path, text in pages(russian).items()
    }
    assert {path: words for path, words in found.items() if words} == {}


def test_a_duplicate_agent_number_is_refused_in_good_russian(russian: Client) -> None:
    make_operator("101")
    data = {"agent_number": "101", "last_name": "Петров", "password1": "s3cret-pass-1",
            "password2": "s3cret-pass-1"}  # fmt: skip
    text = visible_text(russian.post(url(Operator, "add"), data).content.decode())
    assert "с таким Номер агента" not in text
    assert "Оператор: такое значение поля «Номер агента» уже есть." in text


def test_apply_and_sound_errors_carry_no_os_english_nor_server_paths() -> None:
    from django.utils import translation

    from appliance.admin.callcenter.ami import AmiClient, AmiError
    from appliance.admin.callcenter.audio import AudioError, convert_for_asterisk
    from testkit.tools import free_port

    broken = [b"ID3 not really an mp3" * 50]
    with translation.override("ru"):
        with pytest.raises(AmiError) as refused:
            AmiClient("127.0.0.1", free_port())
        with pytest.raises(AudioError) as unreadable:
            convert_for_asterisk(broken, "broken.mp3")
    assert "Connection refused" not in str(refused.value)
    assert "в соединении отказано" in str(refused.value)
    assert "/tmp" not in str(unreadable.value) and "uzor-sound-" not in str(unreadable.value)
    assert "Это не звуковой файл" in str(unreadable.value)
