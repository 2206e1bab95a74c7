"""``uzor-admin apply_dialplan [unit ...]``: Apply Dialplan from the command line.

Prints one line per unit; exits 1 when a unit failed, 2 when the model cannot be rendered
(nothing applied). For scripts and Ansible, the same service as the admin's button.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...apply import apply_dialplan
from ...dialplan import RenderError
from ...models import PbxUnit


class Command(BaseCommand):
    help = "Render the Asterisk configuration and apply it on the enabled PBX units."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("units", nargs="*", help="unit names (default: every enabled unit)")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["units"]
        units = PbxUnit.objects.filter(name__in=names) if names else PbxUnit.objects.all()
        missing = sorted(set(names) - {u.name for u in units})
        if missing:
            raise CommandError(f"no such PBX unit: {', '.join(missing)}")
        try:
            results = apply_dialplan(units, created_by="uzor-admin apply_dialplan")
        except RenderError as exc:
            raise CommandError(f"nothing applied: {exc}", returncode=2) from exc
        if not results:
            self.stdout.write("no enabled PBX unit to apply on")
        for result in results:
            state = "applied" if result.ok else f"FAILED: {result.message}"
            self.stdout.write(f"{result.unit}: revision {result.revision} {state}")
        if any(not r.ok for r in results):
            raise CommandError("some units did not apply; they keep their last good configuration")
