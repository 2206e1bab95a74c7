"""The supervisors' wallboard in the admin (issue 17, item 4): the page, its token, and the
permission for one listen / whisper / barge.

The page itself shows what the agency sends over its WebSocket (agency/wallboard/board.py); the
admin only decides who may: ``/admin/wallboard/`` needs ``callcenter.view_wallboard``;
``token/`` signs a short-lived ``wallboard`` token for the socket (with ``barge`` among its
permissions when the user holds ``callcenter.barge``); ``spy/`` checks ``callcenter.barge``
and the request, logs it (SupervisionEvent, read in the admin) and signs the one-time ``spy``
token the page hands to the agency. The agency checks both tokens with the public half.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appliance.contracts import supervisor_token as tokens

from .bundle_signing import SigningKeyError
from .models import SupervisionEvent, Workplace
from .supervisor_signing import sign

VIEW = "callcenter.view_wallboard"
BARGE = "callcenter.barge"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def page(site: AdminSite, request: HttpRequest) -> HttpResponse:
    _require(request, VIEW)
    workplaces = list(Workplace.objects.order_by("number").values("number", "description"))
    context = {
        **site.each_context(request),
        "title": _("Wallboard"),
        "can_barge": request.user.has_perm(BARGE),
        "workplaces": workplaces,
        "wallboard_url": settings.UZOR_WALLBOARD_URL,
        "texts": page_texts(),
    }
    return render(request, "admin/callcenter/wallboard.html", context)


@require_POST
def token(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW)
    perms = [tokens.VIEW_PERMISSION]
    if request.user.has_perm(BARGE):
        perms.append(tokens.BARGE_PERMISSION)
    payload = {
        "aud": tokens.WALLBOARD,
        "sub": request.user.get_username(),
        "perms": perms,
        "exp": time.time() + tokens.WALLBOARD_TTL,
    }
    return _signed(payload, "token")


@require_POST
def spy(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm(VIEW) and request.user.has_perm(BARGE)):
        message = _("You may not listen to, whisper into or barge into operators' calls.")
        return JsonResponse({"error": message}, status=403)
    agent = request.POST.get("agent", "")
    mode = request.POST.get("mode", "")
    workplace = request.POST.get("workplace", "")
    if mode not in tokens.SPY_MODES:
        return JsonResponse({"error": _("Unknown mode.")}, status=400)
    if not tokens.AGENT_RE.match(agent):
        return JsonResponse({"error": _("Unknown operator.")}, status=400)
    if (
        not tokens.WORKPLACE_RE.match(workplace)
        or not Workplace.objects.filter(number=workplace).exists()
    ):
        return JsonResponse({"error": _("Choose your own workplace first.")}, status=400)
    SupervisionEvent.objects.create(
        user=request.user.get_username(),
        agent=agent,
        mode=mode,
        workplace=workplace,
        address=request.META.get("REMOTE_ADDR", "")[:64],
    )
    payload = {
        "aud": tokens.SPY,
        "sub": request.user.get_username(),
        "agent": agent,
        "mode": mode,
        "workplace": workplace,
        "exp": time.time() + tokens.SPY_TTL,
        "nonce": secrets.token_urlsafe(16),
    }
    return _signed(payload, "ticket")


def _signed(payload: dict[str, Any], name: str) -> HttpResponse:
    try:
        return JsonResponse({name: sign(payload)})
    except SigningKeyError as exc:
        message = _("The wallboard cannot be authorised: %(error)s") % {"error": exc}
        return JsonResponse({"error": message}, status=503)


def page_texts() -> dict[str, str]:
    """What the page's script shows, in the user's language."""
    return {
        "ready": _("ready"),
        "pause": _("pause"),
        "wrapup": _("wrap-up"),
        "ringing": _("ringing"),
        "dialing": _("dialing"),
        "talking": _("talking"),
        "hold": _("on hold"),
        "task": _("task"),
        "task_waiting": _("waiting for a task"),
        "inbound": _("inbound"),
        "outbound": _("outbound"),
        "offline": _("offline"),
        "listen": _("Listen"),
        "whisper": _("Whisper"),
        "barge": _("Barge"),
        "connected": _("Connected to the agency"),
        "disconnected": _("No connection to the agency: reconnecting"),
        "spy_sent": _("Your phone rings: answer it to join the call."),
        "no_workplace": _("Choose your own workplace first."),
        "no_operators": _("No operator is logged in."),
        "no_queues": _("No queue yet."),
        "disconnected_terminal": _("terminal away"),
    }
