"""uzor-pbx's sorcery.conf: the PJSIP kinds the admin never generates are read from the unit's
static pjsip_transports.conf (not through pjsip.conf's ``#exec uzor-confgen``), and none the
admin generates is taken away from pjsip.conf (its objects would vanish)."""

import configparser
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ASTERISK = REPO / "packaging/debian/uzor-pbx/etc/asterisk"
TEMPLATES = REPO / "appliance/admin/callcenter/dialplan/templates"
STATIC = ("transport", "system", "global", "domain_alias", "inbound-publication", "resource_list")


def mappings() -> dict[str, str]:
    """object kind -> the file its ``config`` wizard reads."""
    parser = configparser.ConfigParser(comment_prefixes=(";",), inline_comment_prefixes=(";",))
    parser.read_string((ASTERISK / "sorcery.conf.uzor").read_text())
    found = {}
    for section in parser.sections():
        for kind, value in parser[section].items():
            wizard, data = (part.strip() for part in value.split(",", 1))
            assert wizard == "config", (kind, value)
            filename, *options = data.split(",")
            assert f"criteria=type={kind}" in options, (kind, value)
            found[kind] = filename
    return found


def test_the_kinds_the_admin_never_generates_skip_confgen() -> None:
    found = mappings()
    for kind in STATIC:
        assert found.get(kind) == "pjsip_transports.conf", kind
    assert set(found.values()) == {"pjsip_transports.conf"}


def test_no_kind_the_admin_generates_is_taken_from_pjsip_conf() -> None:
    generated = set(re.findall(r"^type *= *(\S+)", (TEMPLATES / "pjsip.conf.j2").read_text(), re.M))
    assert {"endpoint", "aor", "auth", "identify"} <= generated
    assert not generated & set(mappings())


def test_the_package_installs_it_like_its_other_files() -> None:
    debian = ASTERISK.parents[1] / "DEBIAN"
    for script in ("preinst", "postinst", "prerm", "postrm"):
        loop = re.search(r"for name in ([a-z ]+); do", (debian / script).read_text())
        assert loop is not None and "sorcery" in loop.group(1).split(), script
    assert "/etc/asterisk/sorcery.conf.uzor" in (debian / "conffiles").read_text().split()
