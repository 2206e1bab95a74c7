"""The guards every user value passes before it is written into Asterisk configuration."""

from __future__ import annotations

import pytest
from django.utils import translation

from appliance.admin.callcenter.dialplan import escape as esc
from appliance.admin.callcenter.dialplan.escape import RenderError


def test_config_values_escape_comments_and_refuse_line_breaks():
    assert esc.config_value("pa;ss;", "pw") == "pa\\;ss\\;"
    for bad in ("a\nb", "a\rb", "tab\there", " padded", "padded ", "#include x", "[section]"):
        with pytest.raises(RenderError), translation.override("en"):
            esc.config_value(bad, "gateway x: password")


def test_urls_keep_their_shape_but_lose_every_dialplan_metacharacter():
    encoded = esc.url_argument("https://crm/x?a=1&b=${X},$[1](2);\"'\\|{}", "url")
    assert encoded.startswith("https://crm/x?a=1&b=")
    for char in "${}[](),;\"'\\| ":
        assert char not in encoded
    assert esc.url_argument("https://crm/тема", "url") == "https://crm/%D1%82%D0%B5%D0%BC%D0%B0"


def test_sip_user_parts_are_percent_encoded():
    assert esc.sip_user("user@host;x", "u") == "user%40host%3Bx"
    assert esc.sip_user("0012345", "u") == "0012345"


def test_comments_are_one_line_without_semicolons():
    assert esc.comment("a\nb;c\\d\x00e" + "x" * 200) == "a b,c/d e" + "x" * 111


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (esc.name, "sales queue"),
        (esc.name, "1sales"),
        (esc.digits, "12a"),
        (esc.dialable, "+7 495"),
        (esc.host, "-bad.example"),
        (esc.pattern, "_89.X"),
        (esc.expression, "${SHELL(id)}"),
    ],
)
def test_names_numbers_patterns_and_expressions_are_revalidated(check, value):
    with translation.override("en"), pytest.raises(RenderError, match="thing"):
        check(value, "thing")


def test_a_refusal_names_the_object_in_russian_too():
    with translation.override("ru"), pytest.raises(RenderError) as refused:
        esc.digits("12a", "номер рабочего места")
    assert str(refused.value) == "номер рабочего места: не число из десятичных цифр ('12a')"
