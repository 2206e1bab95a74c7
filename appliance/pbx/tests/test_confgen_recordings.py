"""uzor-confgen's --recording: only its own files, streamed with their details and SHA-256,
deleted once the admin stored them, kept and retried when it did not (the admin's endpoint is
tested in appliance/admin/callcenter/confgen/tests/test_recordings.py)."""

from __future__ import annotations

import hashlib
import io
import os
import time
import wave
from pathlib import Path

import pytest

from appliance.contracts.bundle import RECORDING_NAME_RE
from appliance.pbx import confgen as client
from appliance.pbx.tests import test_confgen

NAME = "1765000000_1765000000.12_1765000000.14_inbound_74950000001_101.wav"


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\1\0" * int(8000 * seconds))
    return buffer.getvalue()


def _settings(tmp_path: Path, url: str = "https://127.0.0.1:9/admin/confgen") -> client.Settings:
    token = tmp_path / "token"
    token.write_text("unit-token\n")
    return client.Settings(admin_url=url, unit="pbx1", token_file=token, cache_dir=tmp_path / "c")


def _recorded(settings: client.Settings, name: str = NAME, age: float = 0) -> Path:
    settings.recordings_dir.mkdir(parents=True, exist_ok=True)
    path = settings.recordings_dir / name
    path.write_bytes(_wav())
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


@pytest.mark.parametrize(
    "name",
    [
        NAME,
        "1765000000_uzor-0123abcd_1765000000.3_outbound_111_101.wav",  # the agency's Originate
        "1765000000_1765000000.12_1765000000.14___.wav",  # no topic, no operator
    ],
)
def test_the_names_the_dialplan_makes_are_recordings(name):
    assert RECORDING_NAME_RE.match(name)


@pytest.mark.parametrize(
    "name",
    [
        "passwd.wav",
        "1765000000_a;b_1.2_inbound_1_1.wav",
        "1765000000_a b_1.2_inbound_1_1.wav",
        "1765000000_$(id)_1.2_inbound_1_1.wav",
        "1765000000_1.2_1.2_sideways_1_1.wav",
        "1765000000_1.2_1.2_inbound_1_1.wav.sh",
        "1765000000_../x_1.2_inbound_1_1.wav",
    ],
)
def test_anything_else_is_not(name):
    assert not RECORDING_NAME_RE.match(name)


def test_the_client_uploads_only_its_own_recordings(tmp_path):
    settings = _settings(tmp_path)
    log = client.Log(None)
    outside = tmp_path / NAME
    outside.write_bytes(_wav())
    with pytest.raises(client.ConfgenError, match="not a call recording under"):
        client.upload_recording(settings, outside, log)
    settings.recordings_dir.mkdir(parents=True)
    odd = settings.recordings_dir / "passwd.wav"
    odd.write_bytes(_wav())
    with pytest.raises(client.ConfgenError, match="not a call recording under"):
        client.upload_recording(settings, odd, log)
    nested = settings.recordings_dir / "x" / NAME
    with pytest.raises(client.ConfgenError, match="not a call recording under"):
        client.upload_recording(settings, nested, log)
    # a call never bridged left no file: nothing to send, no error
    client.upload_recording(settings, settings.recordings_dir / NAME, log)


def test_a_failed_upload_keeps_the_recording(tmp_path):
    settings = _settings(tmp_path)  # nothing listens on port 9
    recording = _recorded(settings)
    with pytest.raises(client.ConfgenError, match="admin unreachable"):
        client.upload_recording(settings, recording, client.Log(None))
    assert recording.exists()


class _Receiver(test_confgen.Handler):
    """The fake admin of test_client, also taking recording uploads."""

    def do_POST(self) -> None:  # noqa: N802 - http.server names its handlers so
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._send(401, b"{}")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        details = {k: v for k, v in self.headers.items() if k.lower().startswith("x-uzor-")}
        self.server.uploads.append((self.path, details, body))  # type: ignore[attr-defined]
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
        f"cache_dir: {tmp_path / 'c'}\ntimeout: 2\n"
        + (admin.unit_settings(tmp_path) if admin else "")
    )
    return path


def test_a_recording_goes_with_its_details_and_leaves_the_unit(tmp_path, receiving_admin):
    settings = _settings(tmp_path)
    recording = _recorded(settings)
    data = recording.read_bytes()
    config = _config(tmp_path, receiving_admin.url, receiving_admin)
    assert client.main(["--config", str(config), "--recording", str(recording)]) == 0
    ((path, details, body),) = receiving_admin.uploads
    assert path == "/admin/confgen/pbx1/recordings" and body == data
    assert {k.lower(): v for k, v in details.items()} == {
        "x-uzor-call-id": "1765000000.12",
        "x-uzor-uniqueid": "1765000000.14",
        "x-uzor-direction": "inbound",
        "x-uzor-topic": "74950000001",
        "x-uzor-agent": "101",
        "x-uzor-started": "1765000000",
        "x-uzor-sha256": hashlib.sha256(data).hexdigest(),
    }
    assert not recording.exists()


def test_a_failed_upload_is_sent_again_later(tmp_path, receiving_admin):
    settings = _settings(tmp_path)
    first = _recorded(settings)
    down = _config(tmp_path, "https://127.0.0.1:9/admin/confgen")  # nothing listens on port 9
    assert client.main(["--config", str(down), "--recording", str(first)]) == client.EXIT_NO_CONFIG
    assert first.exists()

    os.utime(first, (time.time() - 600, time.time() - 600))  # long finished
    busy = _recorded(settings, NAME.replace(".14_", ".15_"))  # MixMonitor still writes it
    up = _config(tmp_path, receiving_admin.url, receiving_admin)
    assert client.main(["--config", str(up), "--pending-recordings"]) == client.EXIT_OK
    assert [u[1]["X-Uzor-Uniqueid"] for u in receiving_admin.uploads] == ["1765000000.14"]
    assert not first.exists() and busy.exists()

    # a configuration fetch that reaches the admin sends what is pending, too
    os.utime(busy, (time.time() - 600, time.time() - 600))
    assert client.main(["--config", str(up), "queues.conf"], stdout=io.StringIO()) == 0
    assert receiving_admin.uploads[-1][1]["X-Uzor-Uniqueid"] == "1765000000.15"
    assert not busy.exists()


def test_the_placeholder_becomes_the_recordings_directory(tmp_path):
    settings = _settings(tmp_path)
    text = client.render_file("x = @UZOR_RECORDINGS_DIR@/a.wav\n", settings)
    assert text == f"x = {tmp_path / 'c' / 'recordings'}/a.wav\n"
