"""Revisions: render each unit's configuration into an immutable, hashed, signed bundle."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appliance.contracts.bundle import (
    BUNDLE_FORMAT,
    bundle_bytes,
    directive_line,
    sha256_hex,
)

from ..bundle_signing import SigningKeyError, sign_bundle
from ..models import PbxUnit, Revision
from .escape import RenderError
from .render import render_unit
from .snapshot import Snapshot, load_snapshot

KEEP_REVISIONS = 20  # per unit; older ones are deleted (never the newest)


def create_revisions(
    units: Iterable[PbxUnit], created_by: str = "", snapshot: Snapshot | None = None
) -> dict[int, Revision]:
    """One new revision per unit (by unit id), all or none, each signed with the admin's key.
    Raises RenderError (also when the key cannot be read or made)."""
    snapshot = snapshot or load_snapshot()
    sounds = {s.ref + ".wav": s.sha256 for s in snapshot.sounds.values()}
    created: dict[int, Revision] = {}
    with transaction.atomic():
        for unit in units:
            revision = Revision.objects.create(unit=unit, created_by=created_by, bundle="")
            files = render_unit(snapshot, unit.name, revision.number)
            refuse_directives(files)
            bundle = {
                "format": BUNDLE_FORMAT,
                "unit": unit.name,
                "revision": revision.number,
                "created_at": timezone.now().isoformat(timespec="seconds"),
                "files": files,
                "sounds": sounds,
            }
            data = bundle_bytes(bundle)
            revision.bundle = data.decode()
            revision.content_hash = sha256_hex(data)
            try:
                revision.signature = sign_bundle(data)
            except SigningKeyError as exc:
                raise RenderError(
                    _("The configuration cannot be signed: %(error)s") % {"error": exc}
                ) from exc
            # The row was inserted empty only to learn its number; this fills it in once.
            Revision.objects.filter(pk=revision.pk).update(
                bundle=revision.bundle,
                content_hash=revision.content_hash,
                signature=revision.signature,
            )
            created[unit.pk] = revision
        prune_revisions(created)
    return created


def refuse_directives(files: dict[str, str]) -> None:
    """A line starting with '#' would be an Asterisk directive (#exec runs a command): the
    units refuse such a bundle, so it is never made."""
    for name, text in files.items():
        number = directive_line(text)
        if number is not None:
            raise RenderError(
                _("%(file)s, line %(line)s: a line starting with '#' is an Asterisk directive")
                % {"file": name, "line": number}
            )


def prune_revisions(keep: dict[int, Revision]) -> None:
    for unit_id in keep:
        old = Revision.objects.filter(unit_id=unit_id).order_by("-id")[KEEP_REVISIONS:]
        ids = list(old.values_list("id", flat=True))
        if ids:
            Revision.objects.filter(id__in=ids).delete()
