"""Issuing licenses (the vendor's side): build the payload and sign its exact bytes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing.keys import key_id
from licensing.model import License, Limits, parse_payload
from licensing.server_id import HardwareFacts


def end_of_day(day: date) -> datetime:
    """The last second of `day` in UTC: a license `--expires 2027-01-31` works all that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def issue_license(
    private_key: Ed25519PrivateKey,
    *,
    server: HardwareFacts,
    customer: str,
    max_operators: int,
    max_pbx_units: int = 1,
    not_after: datetime | None = None,
    modules: tuple[str, ...] = (),
    license_id: str | None = None,
    issued_at: datetime | None = None,
) -> License:
    """Sign a new license. The payload is parsed back first, so a field the appliance would
    refuse (say, an over-long customer name) raises ValueError here, not on the customer's
    server."""
    draft = License(
        license_id=license_id or uuid.uuid4().hex,
        customer=customer,
        server=server,
        issued_at=(issued_at or datetime.now(UTC)).replace(microsecond=0),
        not_after=not_after,
        limits=Limits(max_operators=max_operators, max_pbx_units=max_pbx_units),
        modules=tuple(modules),
    )
    payload = draft.payload_bytes()
    return replace(
        parse_payload(payload),
        key_id=key_id(private_key.public_key()),
        signature=private_key.sign(payload),
        payload=payload,
    )
