"""Apply Dialplan on real Asterisk units that fetch their configuration with uzor-confgen."""

from __future__ import annotations

import contextlib
import signal
import time

import pytest

from testkit.dialplan import make_confgen_unit  # isort: split

from django.contrib.auth.models import User
from django.test import Client

from appliance.admin.callcenter import apply as apply_module
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import build_model
from appliance.admin.callcenter.models import InboundTopic, PbxUnit, Revision, Workplace
from appliance.ami.errors import AMIError
from appliance.contracts.bundle import sha256_hex

pytestmark = pytest.mark.integration


def _running_revision(unit) -> str:
    return unit.cli("dialplan show globals").split("UZOR_REVISION=")[1].split("\n")[0].strip()


def _restart_now(unit) -> None:
    """``core restart now`` (Asterisk re-executes itself in the same process), then wait for the
    new image's control socket (made before its modules load)."""
    control = unit.base / "run" / "asterisk.ctl"
    before = control.stat()
    with contextlib.suppress(RuntimeError):  # the console may go before it answers
        unit.cli("core restart now")
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(FileNotFoundError):
            now = control.stat()
            if (now.st_ino, now.st_ctime_ns) != (before.st_ino, before.st_ctime_ns):
                return
        assert time.monotonic() < deadline, "no new control socket after core restart now"
        time.sleep(0.02)


def _applied_then_restarted(tmp_path, asterisk_unit, admin_server):
    """A unit applied once, a workplace added to the model since, and ``core restart now``
    just sent (the unit is still booting): the unit and the first Apply's result."""
    build_model(tmp_path, gateway_host="127.0.0.1")
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    (before,) = apply_dialplan()
    assert before.ok, before
    Workplace(number="1002", mac="e8039ab5e0ca").save()
    _restart_now(unit.asterisk)
    return unit, before


def _ami_answers(unit) -> bool:
    try:
        unit.ami().close()
    except (AMIError, OSError):
        return False
    return True


def test_an_apply_right_after_core_restart_now_takes_the_new_revision(
    tmp_path, asterisk_unit, admin_server
):
    """The start reads its files as one uzor-confgen pass (one request to the admin); an Apply
    made the moment the unit is fully booted still gets the revision it made, not the start's."""
    unit, before = _applied_then_restarted(tmp_path, asterisk_unit, admin_server)
    assert "fully booted" in unit.asterisk.cli("core waitfullybooted")
    (after,) = apply_dialplan()

    assert after.ok and after.running == after.revision > before.revision, after
    assert _running_revision(unit.asterisk) == str(after.revision)
    assert "1002" in unit.asterisk.cli("pjsip show endpoints")
    log = unit.confgen_log()
    assert "the pass ended" in log and "of this pass" in log


def test_an_apply_while_the_unit_is_still_booting_leaves_it_on_the_new_revision(
    tmp_path, asterisk_unit, admin_server
):
    """AMI answers before Asterisk's modules are loaded; a reload asked for then runs at the end
    of the boot, inside the start's pass. The Apply ends that pass first, so once booted the
    unit runs the Apply's revision, not the one its start began with. (The Apply's own read-back
    may come before those reloads ran: its report is not checked here.)"""
    unit, before = _applied_then_restarted(tmp_path, asterisk_unit, admin_server)
    deadline = time.monotonic() + 60
    while not _ami_answers(unit.asterisk):
        assert time.monotonic() < deadline, "AMI never answered after core restart now"
        time.sleep(0.02)
    (during,) = apply_dialplan()
    assert "fully booted" in unit.asterisk.cli("core waitfullybooted")

    assert during.revision > before.revision
    assert _running_revision(unit.asterisk) == str(during.revision)
    assert "1002" in unit.asterisk.cli("pjsip show endpoints")


def test_apply_configures_two_units_from_the_model(tmp_path, asterisk_unit, admin_server):
    model = build_model(tmp_path, gateway_host="127.0.0.1", gateway_port=5999)
    first = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    second = make_confgen_unit(asterisk_unit, admin_server, "pbx2")

    results = apply_dialplan()

    assert [(r.unit, r.ok) for r in results] == [("pbx1", True), ("pbx2", True)], results
    for unit in (first, second):
        revision = Revision.current(unit.pbx)
        stored = PbxUnit.objects.get(pk=unit.pbx.pk)
        assert stored.applied_revision == revision.number
        assert stored.last_apply_ok is True
        ast = unit.asterisk
        assert _running_revision(ast) == str(revision.number)
        endpoints = ast.cli("pjsip show endpoints")
        assert "1001" in endpoints and "sipnet" in endpoints
        endpoint = ast.cli("pjsip show endpoint 1001")
        assert "webrtc" in endpoint and "Outbound" in endpoint
        assert model.workplace.sip_secret not in endpoint
        queue = ast.cli("queue show sales")
        assert "sales has 0 calls" in queue and "strategy" in queue
        inbound = ast.cli("dialplan show Inbound")
        assert "74950000001" in inbound and "Queue(sales,t,,,,,uzor-record-member)" in inbound
        features = {
            line.split()[0] + " " + line.split()[1]: line.split()[-1]
            for line in ast.cli("features show").splitlines()
            if line.startswith(("Attended Transfer ", "Blind Transfer ", "Disconnect Call "))
        }
        assert features == {
            "Attended Transfer": "*2",
            "Blind Transfer": "#1",
            "Disconnect Call": "*0",
        }, ast.cli("features show")
        assert "Goto(Inbound,74950000001,1)" in ast.cli("dialplan show from-sipnet")
        assert "uzor-hold" in ast.cli("moh show classes")
        assert "revision" in unit.confgen_log()


def test_a_stopped_unit_is_reported_failed_and_a_later_apply_heals_it(
    tmp_path, asterisk_unit, admin_server
):
    build_model(tmp_path, gateway_host="127.0.0.1")
    first = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    second = make_confgen_unit(asterisk_unit, admin_server, "pbx2")
    assert all(r.ok for r in apply_dialplan())
    second.asterisk.stop()
    Workplace(number="1002", mac="e8039ab5e0ca").save()

    results = {r.unit: r for r in apply_dialplan()}

    assert results["pbx1"].ok
    assert not results["pbx2"].ok
    assert "cannot connect to AMI" in results["pbx2"].message
    stored = PbxUnit.objects.get(name="pbx2")
    assert stored.last_apply_ok is False
    assert "cannot connect to AMI" in stored.last_apply_message
    assert "1002" in first.asterisk.cli("pjsip show endpoints")

    second.asterisk.start()
    healed = {r.unit: r for r in apply_dialplan()}

    assert healed["pbx1"].ok and healed["pbx2"].ok, healed
    assert _running_revision(second.asterisk) == str(healed["pbx2"].revision)
    assert "1002" in second.asterisk.cli("pjsip show endpoints")
    assert PbxUnit.objects.get(name="pbx2").last_apply_ok is True


def test_a_unit_frozen_during_apply_is_reported_failed_in_time_and_a_later_apply_heals_it(
    tmp_path, asterisk_unit, admin_server
):
    """Issue 14's fourth fault: a unit whose Asterisk is frozen (SIGSTOP: its AMI port still
    accepts connections, nothing answers) while Apply Dialplan runs on two units."""
    build_model(tmp_path, gateway_host="127.0.0.1")
    first = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    second = make_confgen_unit(asterisk_unit, admin_server, "pbx2")
    assert all(r.ok for r in apply_dialplan())
    frozen = second.asterisk.proc
    assert frozen is not None
    Workplace(number="1002", mac="e8039ab5e0ca").save()
    frozen.send_signal(signal.SIGSTOP)
    try:
        results = {r.unit: r for r in apply_dialplan(timeout=5)}
    finally:
        frozen.send_signal(signal.SIGCONT)

    assert results["pbx1"].ok, results["pbx1"]
    assert "1002" in first.asterisk.cli("pjsip show endpoints")
    assert not results["pbx2"].ok
    assert "no answer from AMI" in results["pbx2"].message, results["pbx2"]
    assert PbxUnit.objects.get(name="pbx2").last_apply_ok is False

    healed = {r.unit: r for r in apply_dialplan()}

    assert healed["pbx1"].ok and healed["pbx2"].ok, healed
    assert _running_revision(second.asterisk) == str(healed["pbx2"].revision)
    assert "1002" in second.asterisk.cli("pjsip show endpoints")
    assert PbxUnit.objects.get(name="pbx2").last_apply_ok is True


def test_a_unit_restarted_while_the_admin_is_down_runs_its_last_good_configuration(
    tmp_path, asterisk_unit, admin_server
):
    build_model(tmp_path, gateway_host="127.0.0.1")
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    (result,) = apply_dialplan()
    assert result.ok
    admin_server.stop()

    unit.asterisk.restart()

    assert _running_revision(unit.asterisk) == str(result.revision)
    assert "1001" in unit.asterisk.cli("pjsip show endpoints")
    assert "Queue(sales,t,,,,,uzor-record-member)" in unit.asterisk.cli("dialplan show Inbound")
    assert "using the last-good copy" in unit.confgen_log()


def test_a_unit_that_cannot_verify_the_new_revision_keeps_its_last_good_one(
    tmp_path, asterisk_unit, admin_server, monkeypatch
):
    build_model(tmp_path, gateway_host="127.0.0.1")
    first = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    second = make_confgen_unit(asterisk_unit, admin_server, "pbx2")
    good = {r.unit: r for r in apply_dialplan()}
    Workplace(number="1002", mac="e8039ab5e0ca").save()

    def corrupt_second(units, created_by=""):  # the bundle of pbx2 damaged after rendering
        made = real_create(units, created_by)
        damaged = made[second.pbx.pk]
        Revision.objects.filter(pk=damaged.pk).update(bundle=damaged.bundle.replace("1002", "6666"))
        return made

    real_create = apply_module.create_revisions
    monkeypatch.setattr(apply_module, "create_revisions", corrupt_second)
    results = {r.unit: r for r in apply_dialplan()}

    assert results["pbx1"].ok
    assert not results["pbx2"].ok
    assert results["pbx2"].running == good["pbx2"].revision
    assert "did not take the new configuration" in results["pbx2"].message
    assert "signature is not the pinned admin key's: refused" in second.confgen_log()
    assert "1002" in first.asterisk.cli("pjsip show endpoints")
    shown = second.asterisk.cli("pjsip show endpoints")
    assert "1001" in shown and "1002" not in shown and "6666" not in shown


def test_a_bundle_altered_together_with_its_hash_is_refused_by_a_real_unit(
    tmp_path, asterisk_unit, admin_server, monkeypatch
):
    """Issue 13, item 5: whoever can change a stored or delivered revision also recomputes its
    SHA-256, so the hash proves nothing; the admin's signature, checked with the key pinned on
    the unit, does. The unit keeps running its last good configuration."""
    build_model(tmp_path, gateway_host="127.0.0.1")
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    (good,) = apply_dialplan()
    assert good.ok
    Workplace(number="1002", mac="e8039ab5e0ca").save()

    def tamper(units, created_by=""):  # a trunk to the attacker, with a matching hash
        made = real_create(units, created_by)
        revision = made[unit.pbx.pk]
        bundle = revision.bundle.replace("1002", "6666")
        assert bundle != revision.bundle
        Revision.objects.filter(pk=revision.pk).update(
            bundle=bundle, content_hash=sha256_hex(bundle.encode())
        )
        return made

    real_create = apply_module.create_revisions
    monkeypatch.setattr(apply_module, "create_revisions", tamper)
    (result,) = apply_dialplan()

    assert not result.ok and result.running == good.revision, result
    assert "did not take the new configuration" in result.message
    log = unit.confgen_log()
    assert "signature is not the pinned admin key's: refused" in log
    assert "SHA-256 mismatch" not in log  # the hash matched: only the signature caught it
    assert _running_revision(unit.asterisk) == str(good.revision)
    shown = unit.asterisk.cli("pjsip show endpoints")
    assert "1001" in shown and "1002" not in shown and "6666" not in shown
    # and after a restart too: the refused bundle never became the last good copy
    unit.asterisk.restart()
    assert _running_revision(unit.asterisk) == str(good.revision)
    assert "6666" not in unit.asterisk.cli("pjsip show endpoints")

    monkeypatch.setattr(apply_module, "create_revisions", real_create)
    (healed,) = apply_dialplan()  # an honest revision is taken again
    assert healed.ok, healed
    assert "1002" in unit.asterisk.cli("pjsip show endpoints")


def test_the_admin_button_and_bulk_action_apply_and_report_per_unit(
    tmp_path, asterisk_unit, admin_server
):
    build_model(tmp_path, gateway_host="127.0.0.1")
    first = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    second = make_confgen_unit(asterisk_unit, admin_server, "pbx2")
    second.asterisk.stop()
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@uzor.test", "x-Pass-123"))

    page = client.get("/admin/callcenter/pbxunit/")
    assert b"Apply Dialplan" in page.content
    shown = client.post("/admin/callcenter/pbxunit/apply/", follow=True)

    texts = [str(m) for m in shown.context["messages"]]
    revision = Revision.current(first.pbx).number
    assert f"Unit pbx1: revision {revision} applied." in texts
    (failed,) = [t for t in texts if t.startswith("Unit pbx2")]
    assert "NOT applied" in failed and "cannot connect to AMI" in failed
    assert Revision.current(first.pbx).created_by == "root"

    client.post(
        "/admin/callcenter/pbxunit/",
        {"action": "apply_dialplan", "_selected_action": [str(first.pbx.pk)]},
    )
    assert Revision.current(first.pbx).number > revision
    assert Revision.objects.filter(unit=second.pbx).count() == 1  # not selected: untouched
    assert _running_revision(first.asterisk) == str(Revision.current(first.pbx).number)

    # The topic editor's bulk action applies on every enabled unit (the manual, section 3).
    topic = InboundTopic.objects.get()
    shown = client.post(
        "/admin/callcenter/inboundtopic/",
        {"action": "apply_dialplan_on_all_units", "_selected_action": [str(topic.pk)]},
        follow=True,
    )
    texts = [str(m) for m in shown.context["messages"]]
    newest = Revision.current(first.pbx).number
    assert f"Unit pbx1: revision {newest} applied." in texts
    assert Revision.objects.filter(unit=second.pbx).count() == 2
    assert _running_revision(first.asterisk) == str(newest)
