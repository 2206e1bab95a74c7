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
# ("Queue": also an Asterisk application the dialplan text mode's help names)
SAME_IN_RUSSIAN = {"AMI", "SIP", "SHA-256", "Apply Dialplan", "URL", "DID", "Queue"}
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
            if re.search("[а-яё]", msgid, re.IGNORECASE):  # the model names' plural forms
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
    paths += [
        url(Operator, "change", operator.pk),
        url(Operator, "history", operator.pk),
        url(PbxUnit, "change", unit.pk),
        reverse("admin:auth_group_add"),
        f"{url(type(group), 'change', group.pk)}",
    ]
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
    data = {
        "agent_number": "101",
        "last_name": "Петров",
        "password1": "s3cret-pass-1",
        "password2": "s3cret-pass-1",
    }
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


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 оператор"), (2, "2 оператора"), (5, "5 операторов"), (21, "21 оператор")],
)
def test_object_counts_agree_with_the_number_in_russian(
    russian: Client, count: int, words: str
) -> None:
    """Django builds "N objects" from verbose_name/verbose_name_plural with the English rule
    (one or other); Russian needs the form for the number: 2 оператора, 5 операторов."""
    for number in range(count):
        make_operator(str(200 + number))
    listing = visible_text(russian.get(url(Operator, "changelist")).content.decode())
    assert re.search(rf"(?<!\d){words}(?!\w)", listing), listing[-300:]
    ids = [str(pk) for pk in Operator.objects.values_list("pk", flat=True)]
    data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    deleted = visible_text(
        russian.post(url(Operator, "changelist"), data, follow=True).content.decode()
    )
    assert f"Успешно удалены {words}." in deleted, deleted[:500]


def test_pbx_units_are_counted_in_russian(russian: Client) -> None:
    for name in ("pbx1", "pbx2"):
        PbxUnit(name=name, address="127.0.0.1", ami_user="uzor", ami_secret="x").save()
    listing = visible_text(russian.get(url(PbxUnit, "changelist")).content.decode())
    assert "2 юнита АТС" in listing and "2 юниты АТС" not in listing, listing


def test_every_admin_model_has_russian_plural_forms() -> None:
    """A new model needs its entry too (msgid = its Russian name, see the catalog's end)."""
    from django.contrib import admin
    from django.contrib.admin.utils import model_ngettext
    from django.utils import translation

    with translation.override("ru"):
        missing = [
            str(model._meta.verbose_name)
            for model in admin.site._registry
            if model_ngettext(model._meta, 5) == str(model._meta.verbose_name_plural)
        ]
    assert missing == []
