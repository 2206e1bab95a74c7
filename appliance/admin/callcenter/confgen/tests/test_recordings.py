"""Recording uploads: the endpoint (MariaDB); uzor-confgen's --recording is tested in
appliance/pbx/tests/test_confgen_recordings.py."""

from __future__ import annotations

import hashlib
import io
import wave
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from appliance.admin.callcenter.dialplan.tests.model import make_unit
from appliance.admin.callcenter.models import Recording

pytestmark = pytest.mark.usefixtures("admin_db")


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\1\0" * int(8000 * seconds))
    return buffer.getvalue()


def _details(body: bytes, **changes: str) -> dict[str, str]:
    details = {
        "x_uzor_call_id": "1765000000.12",
        "x_uzor_uniqueid": "1765000000.14",
        "x_uzor_direction": "inbound",
        "x_uzor_topic": "74950000001",
        "x_uzor_agent": "101",
        "x_uzor_started": "1765000000",
        "x_uzor_sha256": hashlib.sha256(body).hexdigest(),
    }
    details.update(changes)
    return details


def _post(unit: str, body: bytes, token: str | None, **headers: str) -> Any:
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return Client().post(
        f"/admin/confgen/{unit}/recordings", body, content_type="audio/wav", **extra
    )


def test_a_unit_uploads_a_recording_which_is_stored_once():
    unit, token = make_unit()
    body = _wav(3)
    answer = _post("pbx1", body, token, **_details(body))
    assert answer.status_code == 201, answer.content
    recording = Recording.objects.get(pk=answer.json()["id"])
    assert (recording.call_id, recording.uniqueid, recording.unit) == (
        "1765000000.12",
        "1765000000.14",
        unit,
    )
    assert (recording.direction, recording.topic_number, recording.agent_number) == (
        "inbound",
        "74950000001",
        "101",
    )
    assert recording.duration == 3.0 and recording.size == len(body)
    assert recording.started_at.timestamp() == 1765000000
    stored = Path(recording.file.path)
    assert stored.read_bytes() == body
    assert recording.file.name == "recordings/2025/12/06/pbx1_1765000000.14.wav"
    assert stored.stat().st_mode & 0o777 == 0o640

    again = _post("pbx1", body, token, **_details(body))  # a retry after a lost answer
    assert again.status_code == 200 and again.json()["id"] == recording.pk
    assert Recording.objects.count() == 1
    assert sorted(p.name for p in stored.parent.iterdir()) == [stored.name]


def test_unknown_units_and_wrong_tokens_are_refused_alike():
    make_unit()
    body = _wav()
    for unit, token in (("nosuch", "x"), ("pbx1", "wrong"), ("pbx1", None)):
        answer = _post(unit, body, token, **_details(body))
        assert answer.status_code == 401
    assert not Recording.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"x_uzor_call_id": "1;rm -rf /"}, "X-Uzor-Call-Id"),
        ({"x_uzor_uniqueid": "../../etc/passwd"}, "X-Uzor-Uniqueid"),
        ({"x_uzor_direction": "sideways"}, "X-Uzor-Direction"),
        ({"x_uzor_agent": "1a"}, "X-Uzor-Agent"),
        ({"x_uzor_sha256": "0" * 64}, "does not match"),
    ],
)
def test_bad_details_are_refused(changes, message):
    _, token = make_unit()
    body = _wav()
    answer = _post("pbx1", body, token, **_details(body, **changes))
    assert answer.status_code == 400 and message in answer.json()["message"]
    assert not Recording.objects.exists()


def test_a_body_that_is_no_wav_or_too_large_is_refused(monkeypatch):
    _, token = make_unit()
    junk = b"#!/bin/sh\nid\n"
    answer = _post("pbx1", junk, token, **_details(junk))
    assert answer.status_code == 400 and "not a WAV file" in answer.json()["message"]
    from appliance.admin.callcenter.confgen import recordings

    monkeypatch.setattr(recordings, "MAX_RECORDING", 100)
    body = _wav()
    answer = _post("pbx1", body, token, **_details(body))
    assert answer.status_code == 400 and "1 to 100 bytes" in answer.json()["message"]
    assert not Recording.objects.exists()
