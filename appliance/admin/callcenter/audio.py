"""Sound conversion with sox: any common audio file -> 8 kHz, mono, 16-bit signed PCM WAV.

That is what Asterisk plays without transcoding. Non-audio and broken files are refused with
an ``AudioError`` whose text is shown to the admin.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

SOX = "sox"
SOXI = "soxi"
ALLOWED_EXTENSIONS = ("wav", "mp3", "ogg", "oga", "flac", "aif", "aiff", "au", "gsm")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DURATION_SECONDS = 15 * 60
SAMPLE_RATE = 8000
# Both well inside gunicorn's --timeout (uzor-admin.service): a slow file gets this module's
# clear message, not a worker killed mid-request (a bare 502 from nginx).
CONVERT_TIMEOUT_SECONDS = 40
MEASURE_TIMEOUT_SECONDS = 5
# sox exits 0 on some damaged input but says so; a cut-off greeting is refused, not kept.
BROKEN_INPUT_RE = re.compile(r"sox FAIL|Premature EOF|checksum mismatch|LOST_SYNC", re.IGNORECASE)

log = logging.getLogger("uzor.sounds")


class AudioError(Exception):
    """The upload is not a usable sound; str() says why, for the form."""


@dataclass(frozen=True)
class ConvertedSound:
    data: bytes
    duration: float


def sox_available() -> bool:
    return shutil.which(SOX) is not None and shutil.which(SOXI) is not None


def convert_for_asterisk(chunks: Iterable[bytes], original_name: str) -> ConvertedSound:
    """Convert an uploaded file (given as chunks) to Asterisk's WAV, checking size and length."""
    extension = _extension(original_name)
    with tempfile.TemporaryDirectory(prefix="uzor-sound-") as workdir:
        source = Path(workdir) / f"upload.{extension}"
        _write_limited(chunks, source)
        target = Path(workdir) / "converted.wav"
        _run_sox(source, target, original_name)
        duration = _duration(target)
        if duration <= 0:
            raise AudioError(_("The file contains no sound."))
        if duration > MAX_DURATION_SECONDS:
            raise AudioError(
                _("The sound is %(seconds)d s long; at most %(limit)d s are allowed.")
                % {"seconds": duration, "limit": MAX_DURATION_SECONDS}
            )
        return ConvertedSound(target.read_bytes(), duration)


def _extension(name: str) -> str:
    extension = Path(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_EXTENSIONS:
        raise AudioError(
            _("Unsupported file type '%(ext)s'; upload one of: %(allowed)s.")
            % {"ext": extension or "-", "allowed": ", ".join(ALLOWED_EXTENSIONS)}
        )
    return extension


def _write_limited(chunks: Iterable[bytes], path: Path) -> None:
    written = 0
    with path.open("wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise AudioError(
                    _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
                )
            out.write(chunk)
    if written == 0:
        raise AudioError(_("The file is empty."))


def _run_sox(source: Path, target: Path, original_name: str) -> None:
    command = [SOX, "--no-show-progress", str(source), "-r", str(SAMPLE_RATE), "-c", "1"]
    command += ["-b", "16", "-e", "signed-integer", str(target)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError as exc:
        raise AudioError(_("sox is not installed on the server; install the sox package.")) from exc
    except subprocess.TimeoutExpired as exc:
        raise AudioError(_("Converting the file took too long.")) from exc
    problems = [line for line in result.stderr.splitlines() if BROKEN_INPUT_RE.search(line)]
    if result.returncode != 0 or not target.exists() or problems:
        reason = (problems or result.stderr.strip().splitlines() or ["?"])[-1]
        reason = reason.replace(str(source), Path(original_name).name)  # no server path
        log.warning("sox refused an upload: %s", reason[:500])  # sox's words: the log only
        raise AudioError(
            _(
                "Not a readable audio file (%(name)s): sox cannot read it. Upload a WAV, MP3, OGG "
                "or FLAC file."
            )
            % {"name": Path(original_name).name}
        )


def _duration(path: Path) -> float:
    result = subprocess.run(
        [SOXI, "-D", str(path)],
        capture_output=True,
        text=True,
        timeout=MEASURE_TIMEOUT_SECONDS,
        check=False,
    )
    try:
        return float(result.stdout.strip())
    except ValueError as exc:
        raise AudioError(_("Could not measure the converted sound.")) from exc
