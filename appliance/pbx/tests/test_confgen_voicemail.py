"""uzor-confgen's --voicemail: only its own files, and a failed upload keeps the message
(the admin's endpoint is tested in appliance/admin/callcenter/confgen/tests/test_voicemail.py)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from appliance.pbx import confgen as client


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def _settings(tmp_path: Path) -> client.Settings:
    token = tmp_path / "token"
    token.write_text("t0ken\n")
    return client.Settings(admin_url="http://127.0.0.1:9/admin/confgen", unit="pbx1",
                           token_file=token, cache_dir=tmp_path / "cache")  # fmt: skip


def test_the_client_uploads_only_its_own_voicemail_files(tmp_path):
    settings = _settings(tmp_path)
    log = client.Log(None)
    outside = tmp_path / "20261206-001500-7916-1765000000.12.wav"
    outside.write_bytes(_wav())
    with pytest.raises(client.ConfgenError, match="not a voicemail file under"):
        client.upload_voicemail(settings, outside, "", log)
    box = settings.voicemail_dir / "office"
    box.mkdir(parents=True)
    odd = box / "passwd.wav"
    odd.write_bytes(_wav())
    with pytest.raises(client.ConfgenError, match="not a voicemail file name"):
        client.upload_voicemail(settings, odd, "", log)
    # a caller who hung up before the recording started: nothing to send, no error
    client.upload_voicemail(settings, box / "20261206-001500-7916-1765000000.12.wav", "1", log)


def test_a_failed_upload_keeps_the_message_on_the_unit(tmp_path):
    settings = _settings(tmp_path)  # nothing listens on port 9
    box = settings.voicemail_dir / "office"
    box.mkdir(parents=True)
    message = box / "20261206-001500-7916-1765000000.12.wav"
    message.write_bytes(_wav())
    with pytest.raises(client.ConfgenError, match="admin unreachable"):
        client.upload_voicemail(settings, message, "74950000001", client.Log(None))
    assert message.exists()
