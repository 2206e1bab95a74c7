"""uzor-confgen's --voicemail: only its own files, and a failed upload keeps the message
(the admin's endpoint is tested in appliance/admin/callcenter/confgen/tests/test_voicemail.py)."""

from __future__ import annotations

import io
import os
import time
import wave
from pathlib import Path

import pytest

from appliance.pbx import confgen as client
from appliance.pbx.tests import test_confgen


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
    return client.Settings(
        admin_url="https://127.0.0.1:9/admin/confgen",
        unit="pbx1",
        token_file=token,
        cache_dir=tmp_path / "cache",
    )


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


class _Receiver(test_confgen.Handler):
    """The fake admin of test_client, also taking voicemail uploads."""

    def do_POST(self) -> None:  # noqa: N802 - http.server names its handlers so
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, b"{}")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.uploads.append((self.path, self.headers.get("X-Uzor-Topic"), body[:4]))  # type: ignore[attr-defined]
        return self._send(201, b'{"id": 1}')


@pytest.fixture
def receiving_admin():
    server = test_confgen.FakeAdmin()
    server.RequestHandlerClass = _Receiver
    server.uploads = []  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, url: str, admin: test_confgen.FakeAdmin | None = None) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"admin_url: {url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 2\n"
        + (admin.unit_settings(tmp_path) if admin else "")
    )
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
    down = _config(tmp_path, "https://127.0.0.1:9/admin/confgen")  # nothing listens on port 9
    argv = ["--config", str(down), "--voicemail", str(first), "--topic", "74950000001"]
    assert client.main(argv) == client.EXIT_NO_CONFIG
    assert first.exists() and first.with_suffix(".topic").read_text() == "74950000001\n"

    os.utime(first, (time.time() - 600, time.time() - 600))  # long finished
    recording = _recorded(tmp_path, "20261206-002000-7917-1765000300.1.wav")  # still recording
    up = _config(tmp_path, receiving_admin.url, receiving_admin)
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
