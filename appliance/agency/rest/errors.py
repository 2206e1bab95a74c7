"""One error shape for the REST API: ``{error_id, message, details}`` (xivo APIException).

``message`` is in the language the request's Accept-Language asks for (ru or en), else the
agency's default; ``error_id`` is stable and never translated."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from appliance.agency.i18n import DEFAULT_LANGUAGE, Text, choose, from_accept_language


class APIError(Exception):
    status = 400
    error_id = "invalid-request"

    def __init__(self, message: Text, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.details = details if details is not None else {}

    def response(self, language: str = DEFAULT_LANGUAGE) -> web.Response:
        body = {
            "error_id": self.error_id,
            "message": self.message.render(language),
            "details": self.details,
        }
        return web.json_response(body, status=self.status, dumps=json.dumps)


class Unauthorized(APIError):  # noqa: N818 - the error_id names it
    status = 401
    error_id = "unauthorized"


class NotFound(APIError):  # noqa: N818
    status = 404
    error_id = "not-found"


class MethodNotAllowed(APIError):  # noqa: N818
    status = 405
    error_id = "method-not-allowed"


class InvalidRequest(APIError):  # noqa: N818
    status = 400
    error_id = "invalid-request"


class InternalError(APIError):
    status = 500
    error_id = "internal-error"


def request_language(request: web.Request, default: str = DEFAULT_LANGUAGE) -> str:
    """The language of a request's texts: its Accept-Language (ru or en), else ``default``."""
    return choose(from_accept_language(request.headers.get("Accept-Language", "")), default)
