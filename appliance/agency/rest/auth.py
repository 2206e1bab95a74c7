"""Token auth for the REST API (``Authorization: Bearer <token>``) and the GUI's session cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from aiohttp import web

COOKIE = "uzor_agency_gui"


class TokenAuth:
    def __init__(self, token: str) -> None:
        if len(token) < 16:
            raise ValueError("the API token must be at least 16 characters")
        self._token = token
        self._cookie_key = secrets.token_bytes(32)

    @classmethod
    def from_file(cls, path: Path) -> TokenAuth:
        return cls(path.read_text(encoding="utf-8").strip())

    def check_token(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self._token.encode())

    def bearer_ok(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.check_token(token.strip())

    def new_cookie(self) -> str:
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._sign(nonce)}"

    def cookie_ok(self, request: web.Request) -> bool:
        nonce, _, signature = request.cookies.get(COOKIE, "").partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign(nonce))

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._cookie_key, nonce.encode(), hashlib.sha256).hexdigest()
