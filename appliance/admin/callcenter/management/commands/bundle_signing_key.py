"""``uzor-admin bundle_signing_key``: print the admin's public key that signs the units'
configuration (made on first use), for ``uzor-pbx-setup --signing-key FILE`` on a unit that
cannot reach the admin's ``/admin/confgen/signing-key`` over verified TLS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...bundle_signing import SigningKeyError, public_key_text


class Command(BaseCommand):
    help = "Print the public key that signs the PBX units' configuration (uzor-pbx-setup)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = public_key_text()
        except SigningKeyError as exc:
            raise CommandError(
                _("The configuration cannot be signed: %(error)s") % {"error": exc}
            ) from exc
        self.stdout.write(text)
