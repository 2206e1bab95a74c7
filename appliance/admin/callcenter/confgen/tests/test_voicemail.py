"""Voicemail uploads: the endpoint (MariaDB); uzor-confgen's --voicemail is tested in
appliance/pbx/tests/test_confgen_voicemail.py."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from django.test import Client

from appliance.admin.callcenter.dialplan.tests.model import make_unit
from appliance.admin.callcenter.models import VoicemailMessage


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def _post(path: str, body: bytes, token: str | None, **headers: str) -> object:
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return Client().post(f"/admin/confgen/{path}", body, content_type="audio/wav", **extra)


@pytest.mark.usefixtures("admin_db")
def test_a_unit_uploads_a_message_which_is_stored_with_its_details():
    unit, token = make_unit()
    answer = _post(
        "pbx1/voicemail/office",
        _wav(2),
        token,
        x_uzor_caller="79161234567",
        x_uzor_topic="74950000001",
        x_uzor_recorded="1765000000",
    )
    assert answer.status_code == 201
    message = VoicemailMessage.objects.get(pk=answer.json()["id"])
    assert (message.mailbox, message.caller, message.topic_number) == (
        "office",
        "79161234567",
        "74950000001",
    )
    assert message.duration == 2.0 and message.unit == unit
    assert message.recorded_at.timestamp() == 1765000000
    assert Path(message.file.path).read_bytes()[:4] == b"RIFF"
    long = _post("pbx1/voicemail/office", _wav(300), token)  # 4.8 MB: over Django's 2.5 MB
    assert long.status_code == 201
    assert VoicemailMessage.objects.get(pk=long.json()["id"]).duration == 300.0


@pytest.mark.usefixtures("admin_db")
def test_uploads_need_the_token_a_wav_and_a_mailbox_name():
    _unit, token = make_unit()
    assert _post("pbx1/voicemail/office", _wav(), None).status_code == 401
    assert _post("pbx1/voicemail/office", _wav(), "wrong").status_code == 401
    assert _post("pbx1/voicemail/office", b"not audio", token).status_code == 400
    assert _post("pbx1/voicemail/bad.name", _wav(), token).status_code == 400
    odd = _post("pbx1/voicemail/office", _wav(), token, x_uzor_caller="1;rm -rf /")
    assert odd.status_code == 201
    assert VoicemailMessage.objects.get(pk=odd.json()["id"]).caller == ""  # digits only
    assert Client().get("/admin/confgen/pbx1/voicemail/office").status_code == 405
