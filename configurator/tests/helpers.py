"""Shared helpers of the configurator tests: a context under a temporary prefix."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from configurator.core.context import Context, build_context
from configurator.core.services import NoServices

ADDRESSES = [ipaddress.ip_address("192.0.2.10"), ipaddress.ip_address("2001:db8::10")]


def make_context(root: Path, **kwargs: object) -> Context:
    kwargs.setdefault("services", NoServices())
    ctx = build_context(root=root, **kwargs)  # type: ignore[arg-type]
    ctx.addresses = lambda: list(ADDRESSES)
    return ctx


class Recorder:
    """A progress callback that keeps every line."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
