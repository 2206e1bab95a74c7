"""The confgen endpoints through Django's test client on MariaDB."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from appliance.admin.callcenter.dialplan import create_revisions
from appliance.admin.callcenter.dialplan.tests.model import build_model, make_unit

pytestmark = pytest.mark.usefixtures("admin_db")


def _get(path: str, token: str | None) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/admin/confgen/{path}", **headers)


def test_a_unit_gets_its_current_revision_bundle_and_sounds(tmp_path):
    build_model(tmp_path)
    unit, token = make_unit()
    assert _get("pbx1/current", token).status_code == 404  # nothing applied yet
    revision = create_revisions([unit])[unit.pk]

    current = _get("pbx1/current", token).json()
    bundle = _get(f"pbx1/revisions/{revision.number}", token)
    assert current == {"revision": revision.number, "sha256": revision.content_hash}
    assert hashlib.sha256(bundle.content).hexdigest() == revision.content_hash
    sounds = bundle.json()["sounds"]
    name, sha = sorted(sounds.items())[0]
    sound = _get(f"pbx1/sounds/{name}", token)
    assert hashlib.sha256(b"".join(sound.streaming_content)).hexdigest() == sha
    assert _get("pbx1/sounds/other-0123456789ab.wav", token).status_code == 404


def test_a_wrong_token_and_an_unknown_unit_look_the_same(tmp_path):
    unit, token = make_unit()
    other, other_token = make_unit("pbx2", port=5039)
    create_revisions([unit, other])
    answers = [
        _get("pbx1/current", None),
        _get("pbx1/current", "wrong"),
        _get("pbx1/current", other_token),  # another unit's token
        _get("nosuchunit/current", token),
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1
    other_revision = other.revisions.get().number
    assert _get(f"pbx1/revisions/{other_revision}", token).status_code == 404
