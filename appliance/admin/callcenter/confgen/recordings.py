"""The endpoint a unit's uzor-confgen uploads a finished call recording to.

``POST /admin/confgen/<unit>/recordings`` with the unit's bearer token (an unknown unit or a
wrong token: 401, as every confgen endpoint), a WAV body of at most ``MAX_RECORDING`` bytes
(announced by Content-Length, streamed to a temporary file next to the storage, never held in
memory) and its details in ``X-Uzor-*`` headers, each checked against the same patterns the
unit's file name follows (``RECORDING_NAME_RE``). The body must match ``X-Uzor-Sha256``.

Idempotent: a unit keeps one recording per leg (its uniqueid), so a retry after a lost answer
gets ``200`` with the stored recording's id and changes nothing; a new one gets ``201``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import re
import tempfile
import wave
from pathlib import Path

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from appliance.contracts.bundle import MAX_RECORDING

from ..models import PbxUnit, Recording
from ..models.recording import recording_storage
from .views import _authorized_unit, _bad_request, _unauthorized

log = logging.getLogger("uzor.confgen")

ID_RE = re.compile(r"^[-.0-9A-Za-z]{1,64}$")
HEADER_RES = {
    "X-Uzor-Call-Id": ID_RE,
    "X-Uzor-Uniqueid": ID_RE,
    "X-Uzor-Direction": re.compile(r"^(inbound|outbound|)$"),
    "X-Uzor-Topic": re.compile(r"^[0-9]{0,32}$"),
    "X-Uzor-Agent": re.compile(r"^[0-9]{0,20}$"),
    "X-Uzor-Started": re.compile(r"^[0-9]{1,12}$"),
    "X-Uzor-Sha256": re.compile(r"^[0-9a-f]{64}$"),
}
CHUNK = 1 << 16


class UploadError(Exception):
    """A refused upload; str() says why (sent back as a 400)."""


@csrf_exempt  # a unit with its bearer token, not a browser session
@require_POST
def upload(request: HttpRequest, unit_name: str) -> HttpResponse:
    unit = _authorized_unit(request, unit_name)
    if unit is None:
        return _unauthorized()
    try:
        details = _details(request)
        existing = Recording.objects.filter(unit=unit, uniqueid=details["X-Uzor-Uniqueid"]).first()
        if existing is not None:  # a retry: the unit deletes its copy on this answer
            return JsonResponse({"id": existing.pk, "stored": "before"}, status=200)
        length = _length(request)
        recording = _store(request, unit, details, length)
    except UploadError as exc:
        return _bad_request(str(exc))
    if recording.pk is None:  # stored by a concurrent retry meanwhile
        kept = Recording.objects.get(unit=unit, uniqueid=details["X-Uzor-Uniqueid"])
        return JsonResponse({"id": kept.pk, "stored": "before"}, status=200)
    log.info("unit %s uploaded recording %s of call %s", unit.name, recording.pk, recording.call_id)
    return JsonResponse({"id": recording.pk, "stored": "now"}, status=201)


def _details(request: HttpRequest) -> dict[str, str]:
    details = {}
    for name, pattern in HEADER_RES.items():
        value = request.headers.get(name, "")
        if not pattern.match(value):
            raise UploadError(f"{name}: missing or not valid")
        details[name] = value
    return details


def _length(request: HttpRequest) -> int:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if not 0 < length <= MAX_RECORDING:
        raise UploadError(f"the recording must be 1 to {MAX_RECORDING} bytes")
    return length


def _store(request: HttpRequest, unit: PbxUnit, details: dict[str, str], length: int) -> Recording:
    storage = recording_storage()
    started = _started(details["X-Uzor-Started"])
    name = f"recordings/{started:%Y/%m/%d}/{unit.name}_{details['X-Uzor-Uniqueid']}.wav"
    final = Path(storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".upload-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _copy_body(request, out, length)
        if digest != details["X-Uzor-Sha256"]:
            raise UploadError("the recording does not match its X-Uzor-Sha256")
        duration = _duration(Path(tmp))
        os.chmod(tmp, 0o640)
        name = storage.get_available_name(name)
        recording = Recording(
            call_id=details["X-Uzor-Call-Id"],
            uniqueid=details["X-Uzor-Uniqueid"],
            unit=unit,
            direction=details["X-Uzor-Direction"],
            topic_number=details["X-Uzor-Topic"],
            agent_number=details["X-Uzor-Agent"],
            started_at=started,
            duration=round(duration, 2),
            size=length,
            sha256=digest,
        )
        recording.file.name = name
        os.replace(tmp, storage.path(name))
        try:
            with transaction.atomic():
                recording.save()
        except IntegrityError:  # a concurrent retry of the same leg won
            Path(storage.path(name)).unlink(missing_ok=True)
            recording.pk = None
        return recording
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _copy_body(request: HttpRequest, out: object, length: int) -> str:
    digest = hashlib.sha256()
    left = length
    while left > 0:
        chunk = request.read(min(CHUNK, left))
        if not chunk:
            raise UploadError("the recording is shorter than announced")
        digest.update(chunk)
        out.write(chunk)  # type: ignore[attr-defined]
        left -= len(chunk)
    if request.read(1):
        raise UploadError("the recording is longer than announced")
    return digest.hexdigest()


def _duration(path: Path) -> float:
    try:
        with wave.open(str(path)) as audio:
            return float(audio.getnframes()) / float(audio.getframerate() or 1)
    except (wave.Error, EOFError) as exc:
        raise UploadError(f"not a WAV file: {exc}") from exc


def _started(value: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return timezone.now()
