"""uzor-confgen's pass: the files of one Asterisk start or reload all come from the revision
the pass's first read asked the admin for; Apply Dialplan and every start end the pass, so they
ask again (the module's docstring says why that is enough)."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.pbx import build
from appliance.pbx import confgen as client

from .test_confgen import FakeAdmin, end_pass, make_bundle, run, write_config

CURRENT = "/admin/confgen/pbx1/current"
SYSTEM_PYTHON = "/usr/bin/python3"  # what a unit has (test_build.py)


def revision(number: int) -> dict:
    """A bundle whose two files both say which revision they are of."""
    bundle = make_bundle(number, f"[sales]\n; revision {number}\n")
    bundle["files"]["musiconhold.conf"] = f"[default]\n; revision {number}\n"
    return bundle


def queues(number: int) -> tuple[int, str]:
    return 0, f"[sales]\n; revision {number}\n"


def moh(number: int) -> tuple[int, str]:
    return 0, f"[default]\n; revision {number}\n"


@pytest.fixture
def admin() -> Iterator[FakeAdmin]:
    server = FakeAdmin()
    server.publish(revision(1))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(tmp_path: Path, admin: FakeAdmin) -> Path:
    return write_config(tmp_path, admin)


def _log(tmp_path: Path) -> str:
    return (tmp_path / "cache" / "confgen.log").read_text()


def _edit_pass(tmp_path: Path, **changes: object) -> None:
    record = tmp_path / "cache" / client.PASS_FILE
    record.write_text(json.dumps({**json.loads(record.read_text()), **changes}))


def test_the_reads_of_one_pass_ask_the_admin_once(config, admin, tmp_path):
    assert run(config, "queues.conf") == queues(1)
    assert run(config, "musiconhold.conf") == moh(1)
    assert run(config, "queues.conf") == queues(1)
    assert admin.asked.count(CURRENT) == 1
    log = _log(tmp_path)
    assert log.count("(a new pass)") == 1 and log.count("revision 1 of this pass") == 2


def test_a_pass_never_mixes_two_revisions(config, admin):
    """The admin made revision 2 while Asterisk was reading revision 1's files: the rest of that
    start or reload still reads revision 1; the Apply's end of the pass brings revision 2."""
    assert run(config, "queues.conf") == queues(1)
    admin.publish(revision(2))

    assert run(config, "musiconhold.conf") == moh(1)
    assert run(config, "queues.conf") == queues(1)

    end_pass(config)  # Apply Dialplan: cli.conf over AMI, before its reloads
    assert run(config, "musiconhold.conf") == moh(2)
    assert run(config, "queues.conf") == queues(2)


def test_an_apply_right_after_a_start_gets_the_new_revision(config, admin):
    """A start: cli.conf read before the core and before the modules, the modules' reads (one
    pass), then an Apply before the start's last cli.conf read (fully booted), as when Asterisk
    runs at the end of its boot a reload the Apply asked for while it was booting."""
    end_pass(config)  # pre-init
    end_pass(config)  # pre-module
    assert run(config, "queues.conf") == queues(1)
    assert run(config, "musiconhold.conf") == moh(1)

    admin.publish(revision(2))  # the Apply: the admin makes the revision,
    end_pass(config)  # the unit reads cli.conf over AMI, then reloads
    assert run(config, "musiconhold.conf") == moh(2)
    assert run(config, "queues.conf") == queues(2)

    end_pass(config)  # fully booted: a reload after the boot asks again
    assert run(config, "queues.conf") == queues(2)
    assert admin.asked.count(CURRENT) == 3


def test_a_pass_that_began_before_the_apply_made_its_revision_is_ended_by_it(config, admin):
    """The race: a read asked the admin (answer: revision 1) and, before that answer arrives,
    the Apply makes revision 2 and has the unit end the pass. The end waits for the read's lock,
    then removes the pass that read began: the next read asks again and gets revision 2."""
    enders: list[threading.Thread] = []
    ended: list[int] = []
    waited: list[bool] = []

    def apply_meanwhile() -> None:
        admin.before_answering_current = None
        admin.publish(revision(2))
        ender = threading.Thread(target=lambda: ended.append(_end_pass_status(config)))
        ender.start()
        ender.join(0.5)
        waited.append(ender.is_alive())  # the read holds the lock: the end waits for it
        enders.append(ender)

    admin.before_answering_current = apply_meanwhile
    assert run(config, "queues.conf") == queues(1)  # answered before revision 2 existed
    enders[0].join(10)

    assert waited == [True] and ended == [client.EXIT_OK]
    assert run(config, "musiconhold.conf") == moh(2)
    assert run(config, "queues.conf") == queues(2)


def _end_pass_status(config: Path) -> int:
    return client.main(["--config", str(config), "--end-pass"])


def test_a_pass_nothing_ended_is_over_after_pass_ttl_or_on_another_boot(config, admin, tmp_path):
    assert run(config) == queues(1)
    admin.publish(revision(2))
    assert run(config) == queues(1)  # the pass goes on

    _edit_pass(tmp_path, began=json.loads((tmp_path / "cache/pass.json").read_text())["began"] - 21)
    assert client.PASS_TTL < 21
    assert run(config) == queues(2)  # a reload by hand, long after: it asks the admin

    admin.publish(revision(3))
    _edit_pass(tmp_path, boot="an-earlier-boot-of-the-host")
    assert run(config) == queues(3)
    assert admin.asked.count(CURRENT) == 3


def test_a_pass_whose_bundle_is_no_longer_the_last_good_one_is_over(config, admin, tmp_path):
    assert run(config) == queues(1)
    stale = (tmp_path / "cache" / client.PASS_FILE).read_text()
    end_pass(config)
    admin.publish(revision(2))
    assert run(config) == queues(2)

    (tmp_path / "cache" / client.PASS_FILE).write_text(stale)  # names revision 1's bundle
    _edit_pass(tmp_path, began=json.loads(stale)["began"] + 0.001)

    assert run(config) == queues(2)
    assert admin.asked.count(CURRENT) == 3


def test_an_unreachable_admin_costs_one_wait_per_pass(config, admin, tmp_path):
    """Each read of a start used to wait for the admin; now the pass's first read does, and the
    rest print the same last-good revision."""
    assert run(config) == queues(1)
    admin.shutdown()
    admin.server_close()
    end_pass(config)  # a start

    for name in ("queues.conf", "musiconhold.conf", "queues.conf"):
        assert run(config, name) == (queues(1) if name == "queues.conf" else moh(1))
    assert _log(tmp_path).count("admin unreachable") == 1

    end_pass(config)
    assert run(config) == queues(1)
    assert _log(tmp_path).count("admin unreachable") == 2


def test_ending_a_pass_prints_nothing_and_the_log_says_it(config, tmp_path):
    end_pass(config)
    assert "no pass to end" in _log(tmp_path)
    run(config)
    end_pass(config)
    assert "the pass ended" in _log(tmp_path)
    assert not (tmp_path / "cache" / client.PASS_FILE).exists()


def test_the_runs_asterisk_makes_most_load_nothing_to_talk_to_the_admin(config, tmp_path):
    """The installed program as Asterisk runs it for a file of the pass and to end the pass:
    nothing for talking to the admin (TLS, HTTP) nor argparse or dataclasses is imported, which
    were most of such a run's cost besides starting Python."""
    program = tmp_path / "uzor-confgen"
    program.write_text(build.confgen_source())
    assert run(config) == queues(1)  # the pass's first read (the admin asked)
    check = (
        "import runpy, sys\n"
        "sys.argv = sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        "names = ('ssl', 'socket', 'http.client', 'urllib.request', 'tempfile', 'email',\n"
        "         'argparse', 'dataclasses')\n"
        "sys.stderr.write(repr((status, [n for n in names if n in sys.modules])))\n"
    )
    command = [SYSTEM_PYTHON, "-I", "-S", "-c", check, str(program), "--config", str(config)]
    for last, printed in (("musiconhold.conf", moh(1)[1]), ("--end-pass", "")):
        done = subprocess.run([*command, last], check=False, env={}, capture_output=True, text=True)
        assert (done.stdout, done.stderr) == (printed, "(0, [])"), last
