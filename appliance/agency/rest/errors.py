"""One error shape for the REST API: ``{error_id, message, details}`` (xivo APIException)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class APIError(Exception):
    status = 400
    error_id = "invalid-request"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}

    def response(self) -> web.Response:
        body = {"error_id": self.error_id, "message": self.message, "details": self.details}
        return web.json_response(body, status=self.status, dumps=json.dumps)


class Unauthorized(APIError):  # noqa: N818 - the error_id names it
    status = 401
    error_id = "unauthorized"


class NotFound(APIError):  # noqa: N818
    status = 404
    error_id = "not-found"


class InvalidRequest(APIError):  # noqa: N818
    status = 400
    error_id = "invalid-request"


class InternalError(APIError):
    status = 500
    error_id = "internal-error"
