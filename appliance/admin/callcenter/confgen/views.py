"""HTTP endpoints uzor-confgen calls: a unit's current revision, the bundle, its sounds.

Authenticated by the unit's token (``Authorization: Bearer <token>``), compared in constant
time with the stored hash; an unknown unit and a wrong token get the same 401, so neither the
unit names nor the tokens can be probed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from ..models import PbxUnit, Revision, Sound, hash_token
from .client import SOUND_NAME_RE

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
    revision = Revision.objects.filter(unit=unit).order_by("-id").only("id", "content_hash").first()
    if revision is None:
        return _not_found("no revision yet: run Apply Dialplan")
    return JsonResponse({"revision": revision.number, "sha256": revision.content_hash})


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
def sound(request: HttpRequest, unit_name: str, filename: str) -> HttpResponse:
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
