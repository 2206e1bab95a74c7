import re
import subprocess
from pathlib import Path

import pytest

from appliance.admin.callcenter import audio
from appliance.admin.callcenter.audio import AudioError, convert_for_asterisk

REPO = Path(__file__).resolve().parents[4]


def make(tmp_path, name, *effects, rate="44100", channels="2"):
    path = tmp_path / name
    subprocess.run(
        ["sox", "-n", "-r", rate, "-c", channels, str(path), *effects],
        check=True,
        capture_output=True,
    )
    return path


def soxi(data, tmp_path):
    out = tmp_path / "out.wav"
    out.write_bytes(data)
    return {
        flag: subprocess.run(
            ["soxi", flag, str(out)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for flag in ("-r", "-c", "-b", "-e", "-t")
    }


@pytest.mark.parametrize("name", ["tone.wav", "tone.mp3", "tone.ogg", "tone.flac", "tone.aiff"])
def test_common_formats_become_8khz_mono_16bit_wav(tmp_path, name):
    source = make(tmp_path, name, "synth", "1.5", "sine", "440")
    converted = convert_for_asterisk([source.read_bytes()], name)
    assert soxi(converted.data, tmp_path) == {
        "-r": "8000",
        "-c": "1",
        "-b": "16",
        "-e": "Signed Integer PCM",
        "-t": "wav",
    }
    assert converted.duration == pytest.approx(1.5, abs=0.1)


def test_the_extension_decides_the_decoder_and_unknown_types_are_refused(tmp_path):
    with pytest.raises(AudioError, match="Unsupported file type 'exe'"):
        convert_for_asterisk([b"MZ\x90\x00"], "setup.exe")
    with pytest.raises(AudioError, match="Unsupported file type '-'"):
        convert_for_asterisk([b"data"], "noextension")


def test_broken_and_empty_files_are_refused(tmp_path, caplog):
    with pytest.raises(AudioError, match="Not a readable audio file"):
        convert_for_asterisk([b"<html>not a sound</html>" * 50], "page.mp3")
    good = make(tmp_path, "cut.flac", "synth", "2", "sine", "440").read_bytes()
    with pytest.raises(AudioError, match="Not a readable audio file"):
        convert_for_asterisk([good[: len(good) // 3]], "cut.flac")
    wav = make(tmp_path, "cut.wav", "synth", "2", "sine", "440").read_bytes()
    with pytest.raises(AudioError, match="Not a readable audio file"):
        convert_for_asterisk([wav[: len(wav) // 2]], "cut.wav")
    assert "Premature EOF" in caplog.text  # sox's own words go to the log, not to the page
    with pytest.raises(AudioError, match="empty"):
        convert_for_asterisk([b""], "empty.wav")


def test_size_and_duration_are_limited(tmp_path, monkeypatch):
    long_tone = make(tmp_path, "long.wav", "synth", "3", "sine", "440", rate="8000", channels="1")
    monkeypatch.setattr(audio, "MAX_DURATION_SECONDS", 2)
    with pytest.raises(AudioError, match="at most 2 s"):
        convert_for_asterisk([long_tone.read_bytes()], "long.wav")
    monkeypatch.setattr(audio, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(AudioError, match="larger than"):
        convert_for_asterisk([long_tone.read_bytes()], "long.wav")


def test_silence_is_a_sound_but_no_samples_is_not(tmp_path):
    silence = make(tmp_path, "silence.wav", "trim", "0", "1")
    assert convert_for_asterisk([silence.read_bytes()], "silence.wav").duration == pytest.approx(1)
    nothing = make(tmp_path, "nothing.wav", "trim", "0", "0")
    with pytest.raises(AudioError):
        convert_for_asterisk([nothing.read_bytes()], "nothing.wav")


def test_a_broken_file_is_explained_without_the_servers_temporary_path():
    with pytest.raises(AudioError) as err:
        convert_for_asterisk([b"RIFF\x00\x00\x00\x00WAVEnot really"], "greeting.wav")
    assert "greeting.wav" in str(err.value)
    assert "/tmp/" not in str(err.value) and "uzor-sound-" not in str(err.value)


def test_conversion_gives_up_before_gunicorn_kills_the_worker():
    """A slow file must end in AudioError's message, not a killed worker (nginx's bare 502)."""
    unit = (REPO / "packaging/debian/uzor-admin/lib/systemd/system/uzor-admin.service").read_text()
    worker_timeout = int(re.search(r"--timeout (\d+)", unit).group(1))
    assert worker_timeout - 10 > audio.CONVERT_TIMEOUT_SECONDS + audio.MEASURE_TIMEOUT_SECONDS


def test_nginx_takes_every_sound_the_admin_accepts():
    """An upload within the admin's limit must not be refused earlier by nginx (413)."""
    admin_conf = (REPO / "packaging/debian/uzor-admin/usr/share/uzor/nginx/admin.conf").read_text()
    location = admin_conf[admin_conf.index("location /admin/") :].split("}", 1)[0]
    limit = re.search(r"client_max_body_size (\d+)m;", location)
    assert limit, "location /admin/ sets no client_max_body_size"
    assert int(limit.group(1)) * 2**20 >= audio.MAX_UPLOAD_BYTES + 2**20  # form overhead
