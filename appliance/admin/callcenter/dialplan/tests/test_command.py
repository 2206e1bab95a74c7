"""``uzor-admin apply_dialplan`` (the units here are down: no Asterisk in unit tests)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from appliance.admin.callcenter.models import Revision
from testkit.tools import free_port

from .model import build_model, make_unit

pytestmark = pytest.mark.usefixtures("admin_db")


def _run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("apply_dialplan", *args, stdout=out)
    return out.getvalue()


def test_without_enabled_units_it_says_so():
    assert _run() == "no enabled PBX unit to apply on\n"


def test_a_unit_that_is_down_fails_the_command_after_its_revision_is_made(tmp_path):
    build_model(tmp_path)
    unit, _token = make_unit(port=free_port())
    with pytest.raises(CommandError, match="did not apply"):
        _run("pbx1")
    assert Revision.current(unit) is not None


def test_an_unknown_unit_is_named():
    with pytest.raises(CommandError, match="no such PBX unit: nope"):
        _run("nope")
