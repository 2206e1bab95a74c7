"""Voicemail uploads: the endpoint (MariaDB) and uzor-confgen's --voicemail (a fake admin)."""

from __future__ import annotations

import io
import os
import time
import wave
from pathlib import Path

import pytest
from django.test import Client

from appliance.admin.callcenter.confgen import client
from appliance.admin.callcenter.confgen.tests import test_client
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
    return Client().post(
        f"/admin/confgen/{path}", body, content_type="audio/wav", **extra
    )  # fmt: skip


@pytest.mark.usefixtures("admin_db")
def test_a_unit_uploads_a_message_which_is_stored_with_its_details():
    unit, token = make_unit()
    answer = _post("pbx1/voicemail/office", _wav(2), token, x_uzor_caller="79161234567",
                   x_uzor_topic="74950000001", x_uzor_recorded="1765000000")  # fmt: skip
    assert answer.status_code == 201
    message = VoicemailMessage.objects.get(pk=answer.json()["id"])
    assert (message.mailbox, message.caller, message.topic_number) == (
        "office", "79161234567", "74950000001"
    )  # fmt: skip
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


class _Receiver(test_client.Handler):
    """The fake admin of test_client, also taking voicemail uploads."""

    def do_POST(self) -> None:  # noqa: N802 - http.server names its handlers so
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, b"{}")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.uploads.append((self.path, self.headers.get("X-Uzor-Topic"), body[:4]))  # type: ignore[attr-defined]
        return self._send(201, b'{"id": 1}')


@pytest.fixture
def receiving_admin():
    server = test_client.FakeAdmin()
    server.RequestHandlerClass = _Receiver
    server.uploads = []  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, url: str) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(f"admin_url: {url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
                    f"cache_dir: {tmp_path / 'cache'}\ntimeout: 2\n")  # fmt: skip
    return path


def _recorded(tmp_path: Path, name: str, age: float = 0) -> Path:
    box = tmp_path / "cache" / "voicemail" / "office"
    box.mkdir(parents=True, exist_ok=True)
    path = box / name
    path.write_bytes(_wav())
    if age:
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
    return path


def test_a_failed_upload_is_sent_again_once_the_admin_answers(tmp_path, receiving_admin):
    first = _recorded(tmp_path, "20261206-001500-7916-1765000000.12.wav")
    down = _config(tmp_path, "http://127.0.0.1:9/admin/confgen")  # nothing listens on port 9
    argv = ["--config", str(down), "--voicemail", str(first), "--topic", "74950000001"]
    assert client.main(argv) == client.EXIT_NO_CONFIG
    assert first.exists() and first.with_suffix(".topic").read_text() == "74950000001\n"

    os.utime(first, (time.time() - 600, time.time() - 600))  # long finished
    recording = _recorded(tmp_path, "20261206-002000-7917-1765000300.1.wav")  # still recording
    up = _config(tmp_path, receiving_admin.url)
    second = _recorded(tmp_path, "20261206-001900-7918-1765000200.5.wav")
    argv = ["--config", str(up), "--voicemail", str(second), "--topic", "74950000002"]
    assert client.main(argv) == client.EXIT_OK
    assert receiving_admin.uploads == [
        ("/admin/confgen/pbx1/voicemail/office", "74950000002", b"RIFF"),
        ("/admin/confgen/pbx1/voicemail/office", "74950000001", b"RIFF"),  # the retry
    ]
    assert not first.exists() and not first.with_suffix(".topic").exists()
    assert recording.exists()  # a message being recorded is left alone

    # a configuration fetch that reaches the admin sends what is pending, too
    os.utime(recording, (time.time() - 600, time.time() - 600))
    assert client.main(["--config", str(up), "queues.conf"], stdout=io.StringIO()) == 0
    assert receiving_admin.uploads[-1] == ("/admin/confgen/pbx1/voicemail/office", None, b"RIFF")
    assert not recording.exists()
