"""uzor-pbx's cli.conf: Asterisk reads it at every start (and Apply Dialplan over AMI before its
reloads), and its ``#exec`` ends uzor-confgen's pass (test_confgen_pass.py)."""

import configparser
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ASTERISK = REPO / "packaging/debian/uzor-pbx/etc/asterisk"
END_PASS = "#exec /usr/bin/uzor-confgen --config /etc/asterisk/uzor/confgen.yaml --end-pass"


def test_it_ends_confgens_pass_with_the_units_confgen_settings():
    text = (ASTERISK / "cli.conf.uzor").read_text()
    execs = [line for line in text.splitlines() if line.startswith("#")]
    assert execs == [END_PASS]
    generated = (ASTERISK / "queues.conf.uzor").read_text()
    assert END_PASS.removesuffix("--end-pass") + "queues.conf" in generated  # same program
    parser = configparser.ConfigParser(comment_prefixes=(";", "#"), allow_no_value=True)
    parser.read_string(text)
    assert parser.sections() == ["startup_commands"]
    assert list(parser["startup_commands"]) == []  # no command runs at a start


def test_the_package_installs_it_like_its_other_files():
    debian = ASTERISK.parents[1] / "DEBIAN"
    for script in ("preinst", "postinst", "prerm", "postrm"):
        loop = re.search(r"for name in ([a-z ]+); do", (debian / script).read_text())
        assert loop is not None and "cli" in loop.group(1).split(), script
    assert "/etc/asterisk/cli.conf.uzor" in (debian / "conffiles").read_text().split()
