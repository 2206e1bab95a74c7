"""Token auth for the REST API (``Authorization: Bearer <token>``) and the GUI's login."""

from __future__ import annotations

import hmac
from pathlib import Path

from aiohttp import web


class TokenAuth:
    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("the API token must be at least 16 characters")
        self._token = token

    @classmethod
    def from_file(cls, path: Path) -> TokenAuth:
        return cls(path.read_text(encoding="utf-8").strip())

    def check_token(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self._token.encode())

    def bearer_ok(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.check_token(token.strip())
