"""The Russian catalog is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "ru" / "LC_MESSAGES" / "django.mo"


def _entries():
    """(msgctxt, msgid, msgid_plural, [msgstr...]) for every entry of the .po file."""
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(\S+) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif key is not None:
                fields[key] += re.findall(r'^"(.*)"$', line)[0]
        strs = [value for name, value in fields.items() if name.startswith("msgstr")]
        yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs


def test_every_message_has_a_russian_translation():
    entries = list(_entries())
    assert len(entries) > 200
    untranslated = [msgid for _, msgid, _, strs in entries if not all(strs)]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_source():
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for ctx, escaped, plural, _strs in _entries():
        msgid = escaped.replace('\\"', '"')
        if plural:
            assert catalog.ngettext(msgid, plural, 5) != plural, msgid
        elif ctx:
            assert catalog.pgettext(ctx, msgid) != msgid or msgid in {"active"}, msgid
        else:
            translated = catalog.gettext(msgid)
            assert translated != msgid or msgid in {"AMI", "SIP", "Callcenter"}, msgid
