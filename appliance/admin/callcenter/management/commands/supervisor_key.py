"""``uzor-admin supervisor_key``: print the public key that verifies the wallboard's tokens (made
on first use), for the agency's ``wallboard.public_key_file`` on a host the configurator did not
set up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...bundle_signing import SigningKeyError
from ...supervisor_signing import public_key_text


class Command(BaseCommand):
    help = "Print the public key that verifies the wallboard's tokens (the agency's)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = public_key_text()
        except SigningKeyError as exc:
            raise CommandError(
                _("The wallboard's tokens cannot be signed: %(error)s") % {"error": exc}
            ) from exc
        self.stdout.write(text)
