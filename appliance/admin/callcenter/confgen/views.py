"""HTTP endpoints uzor-confgen calls: a unit's current revision, the bundle, its sounds.

Authenticated by the unit's token (``Authorization: Bearer <token>``), compared in constant
time with the stored hash; an unknown unit and a wrong token get the same 401, so neither the
unit names nor the tokens can be probed. ``signing-key`` (the admin's public key that
uzor-pbx-setup pins on a unit) is public: it is no secret, and the unit takes it over TLS it
verifies.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import re
import wave
from pathlib import Path

from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from appliance.contracts.bundle import MAX_VOICEMAIL, SOUND_NAME_RE

from ..bundle_signing import SigningKeyError, public_key_text
from ..models import PbxUnit, Revision, Sound, VoicemailMessage, hash_token

log = logging.getLogger("uzor.confgen")
_DUMMY_HASH = hash_token("not-a-token")


def _authorized_unit(request: HttpRequest, unit_name: str) -> PbxUnit | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    unit = PbxUnit.objects.filter(name=unit_name).first()
    if unit is None:
        # Same work as a real check, so timing does not tell whether the unit exists.
        PbxUnit(token_hash=_DUMMY_HASH).check_token(token)
        return None
    return unit if unit.check_token(token) else None


def _unauthorized() -> HttpResponse:
    return JsonResponse(
        {"error_id": "unauthorized", "message": "unknown unit or wrong token", "details": {}},
        status=401,
    )


def _not_found(what: str) -> HttpResponse:
    return JsonResponse({"error_id": "not-found", "message": what, "details": {}}, status=404)


@require_GET
def current(request: HttpRequest, unit_name: str) -> HttpResponse:
    unit = _authorized_unit(request, unit_name)
    if unit is None:
        return _unauthorized()
    revision = (
        Revision.objects.filter(unit=unit)
        .order_by("-id")
        .only("id", "content_hash", "signature")
        .first()
    )
    if revision is None:
        return _not_found("no revision yet: run Apply Dialplan")
    return JsonResponse(
        {
            "revision": revision.number,
            "sha256": revision.content_hash,
            "signature": revision.signature,  # empty (refused by units) before issue 13
        }
    )


@require_GET
def signing_key(request: HttpRequest) -> HttpResponse:
    """The admin's public bundle signing key, base64 of its 32 bytes, one line."""
    try:
        text = public_key_text()
    except SigningKeyError as exc:
        log.error("%s", exc)
        return JsonResponse(
            {"error_id": "no-signing-key", "message": "see the admin's log", "details": {}},
            status=503,
        )
    return HttpResponse(text + "\n", content_type="text/plain; charset=us-ascii")


@require_GET
def revision(request: HttpRequest, unit_name: str, number: int) -> HttpResponse:
    unit = _authorized_unit(request, unit_name)
    if unit is None:
        return _unauthorized()
    found = Revision.objects.filter(unit=unit, pk=number).first()
    if found is None:
        return _not_found(f"no revision {number} for this unit")
    log.info("unit %s fetched revision %s", unit.name, number)
    response = HttpResponse(found.bundle.encode(), content_type="application/json")
    response["X-Uzor-Sha256"] = found.content_hash
    return response


@require_GET
def sound(request: HttpRequest, unit_name: str, filename: str) -> HttpResponse | FileResponse:
    unit = _authorized_unit(request, unit_name)
    if unit is None:
        return _unauthorized()
    if not SOUND_NAME_RE.match(filename):
        return _not_found("not a sound file name")
    current_revision = Revision.objects.filter(unit=unit).order_by("-id").first()
    sounds = json.loads(current_revision.bundle)["sounds"] if current_revision else {}
    if filename not in sounds:
        return _not_found("the unit's current revision has no such sound")
    name = filename.rsplit("-", 1)[0]
    found = Sound.objects.filter(name=name).first()
    if found is None or not found.file:
        return _not_found("the sound was deleted after the revision: apply again")
    return FileResponse(Path(found.file.path).open("rb"), content_type="audio/wav")


MAILBOX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
NUMBER_RE = re.compile(r"^[0-9]{1,32}$")


def _bad_request(message: str) -> HttpResponse:
    return JsonResponse({"error_id": "bad-request", "message": message, "details": {}}, status=400)


@csrf_exempt  # a unit with its bearer token, not a browser session
@require_POST
def voicemail(request: HttpRequest, unit_name: str, mailbox: str) -> HttpResponse:
    """A message a call flow recorded on the unit (a WAV body; caller, topic and time in
    X-Uzor-* headers)."""
    unit = _authorized_unit(request, unit_name)
    if unit is None:
        return _unauthorized()
    if not MAILBOX_RE.match(mailbox):
        return _bad_request("not a mailbox name")
    length = int(request.headers.get("Content-Length") or 0)
    if not 0 < length <= MAX_VOICEMAIL:
        return _bad_request(f"the message must be 1 to {MAX_VOICEMAIL} bytes")
    # read() rather than .body: a long message is larger than Django's in-memory form limit
    data = request.read(MAX_VOICEMAIL + 1)
    if len(data) != length:
        return _bad_request("the message is shorter or longer than announced")
    try:
        with wave.open(io.BytesIO(data)) as audio:
            duration = audio.getnframes() / float(audio.getframerate() or 1)
    except (wave.Error, EOFError) as exc:
        return _bad_request(f"not a WAV file: {exc}")
    caller = request.headers.get("X-Uzor-Caller", "")
    topic = request.headers.get("X-Uzor-Topic", "")
    try:
        stamp = datetime.datetime.fromtimestamp(
            int(request.headers.get("X-Uzor-Recorded", "")), tz=datetime.UTC
        )
    except (ValueError, OverflowError, OSError):
        stamp = timezone.now()
    message = VoicemailMessage(
        mailbox=mailbox,
        caller=caller if NUMBER_RE.match(caller) else "",
        topic_number=topic if NUMBER_RE.match(topic) else "",
        unit=unit,
        recorded_at=stamp,
        duration=round(duration, 1),
    )
    message.file.save(f"{mailbox}-{stamp:%Y%m%d-%H%M%S}.wav", ContentFile(data), save=False)
    message.save()
    log.info("unit %s uploaded voicemail %s for mailbox %s", unit.name, message.pk, mailbox)
    return JsonResponse({"id": message.pk}, status=201)
