"""The agency's REST API (AGY-7): status, maintenance mode, configuration, clients, metrics.

Every route except the public part of ``GET /status`` needs ``Authorization: Bearer <token>``.
Errors have one shape, ``{error_id, message, details}``; ``message`` follows Accept-Language.
The routes and their schemas are in :data:`ROUTES`, from which the OpenAPI document is generated
(rest/openapi.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from appliance.agency.acp import outgoing as out
from appliance.agency.i18n import _
from appliance.agency.rest.errors import (
    APIError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
    request_language,
)
from appliance.agency.running import Agency

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RestAPI:
    def __init__(self, agency: Agency) -> None:
        self.agency = agency

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/status", self.status),
            web.get("/api/mode", self._auth(self.get_mode)),
            web.put("/api/mode", self._auth(self.put_mode)),
            web.get("/api/config", self._auth(self.get_config)),
            web.get("/api/max-clients", self._auth(self.get_max_clients)),
            web.put("/api/max-clients", self._auth(self.put_max_clients)),
            web.get("/api/clients", self._auth(self.get_clients)),
            web.post("/api/clients/{client_id}/message", self._auth(self.post_message)),
            web.delete("/api/clients/{client_id}", self._auth(self.delete_client)),
            web.get("/metrics", self._auth(self.metrics)),
        ]

    def _auth(self, handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            language = request_language(request, self.agency.acp.language)
            if not self.agency.auth.bearer_ok(request):
                message = _("a valid bearer token is required")
                return Unauthorized(message).response(language)
            return await _guarded(handler, request, language)

        return checked

    @web.middleware
    async def unmatched(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """An unknown path or method under /api/ answers in the one error shape, translated."""
        try:
            return await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
            if not request.path.startswith("/api/"):
                raise
            language = request_language(request, self.agency.acp.language)
            if isinstance(exc, web.HTTPMethodNotAllowed):
                error: APIError = MethodNotAllowed(
                    _("the method {method} is not allowed here", method=request.method)
                )
            else:
                error = NotFound(_("no such resource: {path}", path=request.path))
            return error.response(language)

    async def status(self, request: web.Request) -> web.StreamResponse:
        agency = self.agency
        mode = "maintenance" if agency.acp.maintenance else "active"
        body: dict[str, Any] = {"status": "running", "mode": mode}
        if agency.auth.bearer_ok(request):
            body.update(agency.describe())
        return web.json_response(body)

    async def get_mode(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"mode": "maintenance" if self.agency.acp.maintenance else "active"}
        )

    async def put_mode(self, request: web.Request) -> web.StreamResponse:
        body = await _json(request)
        mode = body.get("mode")
        if mode not in ("active", "maintenance"):
            raise InvalidRequest(_("mode must be 'active' or 'maintenance'"), {"mode": mode})
        message = body.get("message", "")
        if not isinstance(message, str):
            raise InvalidRequest(_("message must be a string"), {"message": message})
        self.agency.set_maintenance(mode == "maintenance", message)
        return await self.get_mode(request)

    async def get_config(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.agency.config_view())

    async def get_max_clients(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"max_clients": self.agency.acp.max_clients})

    async def put_max_clients(self, request: web.Request) -> web.StreamResponse:
        value = (await _json(request)).get("max_clients")
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON has one number type: 7.0 is the integer 7 (JSON Schema)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidRequest(
                _("max_clients must be a non-negative integer"), {"max_clients": value}
            )
        self.agency.acp.max_clients = value
        return await self.get_max_clients(request)

    async def get_clients(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"clients": self.agency.clients()})

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        client = self._client(request)
        text = (await _json(request)).get("text")
        if not isinstance(text, str) or not 0 < len(text) <= 2000:
            raise InvalidRequest(_("text must be 1 to 2000 characters long"))
        sent = self.agency.acp.send(client, out.message(text, "supervisor"))
        return web.json_response({"sent": sent})

    async def delete_client(self, request: web.Request) -> web.StreamResponse:
        client = self._client(request)
        await self.agency.end_client(client)
        return web.json_response({"ended": client.id})

    async def metrics(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=self.agency.metrics.render(), content_type="text/plain", charset="utf-8"
        )

    def _client(self, request: web.Request) -> Any:
        client = self.agency.acp.find(request.match_info["client_id"])
        if client is None:
            raise NotFound(_("no such client"), {"client_id": request.match_info["client_id"]})
        return client


async def _guarded(handler: Handler, request: web.Request, language: str) -> web.StreamResponse:
    try:
        return await handler(request)
    except APIError as exc:
        return exc.response(language)
    except Exception:
        log.exception("REST %s %s failed", request.method, request.path)
        return InternalError(_("internal error")).response(language)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json(loads=json.loads)
    except ValueError as exc:
        raise InvalidRequest(_("the body must be JSON")) from exc
    if not isinstance(body, dict):
        raise InvalidRequest(_("the body must be a JSON object"))
    return body
