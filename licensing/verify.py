"""Verification: signature, then server, then time. Raises; never returns False."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from licensing.errors import BadSignature, Expired, NotYetValid, UnknownKey, WrongServer
from licensing.i18n import _
from licensing.model import License, format_time
from licensing.server_id import FACT_NAMES, HardwareFacts

# The vendor's clock and the server's may differ a little; more than this and the server's
# clock is taken to be set back (a clock rollback is refused, it could revive an expired license).
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


def verify(
    license: License,
    public_keys: Mapping[str, Ed25519PublicKey],
    server: HardwareFacts,
    now: datetime | None = None,
) -> None:
    """Check that `license` is signed by a known vendor key, belongs to `server` (at least 2 of
    its 3 hardware facts match) and is valid at `now` (default: the system clock, UTC).

    Raises UnknownKey, BadSignature, WrongServer, NotYetValid or Expired."""
    check_signature(license, public_keys)
    check_server(license, server)
    check_time(license, now if now is not None else datetime.now(UTC))


def check_signature(license: License, public_keys: Mapping[str, Ed25519PublicKey]) -> None:
    key = public_keys.get(license.key_id)
    if key is None:
        raise UnknownKey(
            license_id=license.license_id,
            key_id=license.key_id,
            known_keys=", ".join(sorted(public_keys)) or _("none"),
        )
    try:
        key.verify(license.signature, license.payload)
    except InvalidSignature as exc:
        raise BadSignature(license_id=license.license_id) from exc


def check_server(license: License, server: HardwareFacts) -> None:
    matched = license.server.matching_facts(server)
    if not license.server.matches(server):
        raise WrongServer(
            license_id=license.license_id,
            licensed_host=license.server.hostname or "?",
            matched=len(matched),
            facts=describe_facts(license.server, server),
        )


def describe_facts(licensed: HardwareFacts, server: HardwareFacts) -> str:
    """E.g. "machine-id: same, DMI UUID: unknown, NICs: different"."""
    matched = licensed.matching_facts(server)
    labels = {"machine_id": "machine-id", "dmi_uuid": "DMI UUID", "nics": "NICs"}
    parts = []
    for fact in FACT_NAMES:
        if fact in matched:
            state = _("same")
        elif not getattr(licensed, fact) or not getattr(server, fact):
            state = _("unknown")
        else:
            state = _("different")
        parts.append(f"{labels[fact]}: {state}")
    return ", ".join(parts)


def check_time(license: License, now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if now < license.issued_at - CLOCK_SKEW_TOLERANCE:
        raise NotYetValid(
            license_id=license.license_id,
            issued_at=format_time(license.issued_at),
            now=format_time(now),
        )
    if license.not_after is not None and now > license.not_after:
        raise Expired(
            license_id=license.license_id,
            not_after=format_time(license.not_after),
            now=format_time(now),
        )
