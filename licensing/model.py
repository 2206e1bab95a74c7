"""The license: its payload fields, strict JSON (de)serialisation and the armoured form.

Payload (JSON, UTF-8, exactly these fields; `format` changes whenever fields change):

    {"format": 1, "license_id": "...", "customer": "...", "server": {server facts},
     "issued_at": "2026-01-31T12:00:00Z", "not_after": "2027-01-31T23:59:59Z" | null,
     "limits": {"max_operators": 50, "max_pbx_units": 2}, "modules": ["recorder", ...]}

Times are UTC. `not_after` null means perpetual.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from licensing import armour
from licensing.errors import LicenseMalformed, LicenseMissing
from licensing.i18n import _
from licensing.server_id import HardwareFacts

PAYLOAD_FORMAT = 1
_FIELDS = {
    "format",
    "license_id",
    "customer",
    "server",
    "issued_at",
    "not_after",
    "limits",
    "modules",
}
_LIMIT_FIELDS = {"max_operators", "max_pbx_units"}
_LICENSE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MODULE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_MAX_CUSTOMER = 200
_MAX_MODULES = 64
_MAX_LIMIT = 1_000_000


@dataclass(frozen=True)
class Limits:
    max_operators: int
    max_pbx_units: int


@dataclass(frozen=True)
class License:
    """A parsed license. Loading it proves nothing: call `licensing.verify` before trusting it."""

    license_id: str
    customer: str
    server: HardwareFacts
    issued_at: datetime
    not_after: datetime | None
    limits: Limits
    modules: tuple[str, ...]
    key_id: str = ""
    signature: bytes = b""
    payload: bytes = b""

    def payload_bytes(self) -> bytes:
        """The canonical payload to sign for a new license."""
        data = {
            "format": PAYLOAD_FORMAT,
            "license_id": self.license_id,
            "customer": self.customer,
            "server": self.server.to_json_dict(),
            "issued_at": format_time(self.issued_at),
            "not_after": format_time(self.not_after) if self.not_after else None,
            "limits": {
                "max_operators": self.limits.max_operators,
                "max_pbx_units": self.limits.max_pbx_units,
            },
            "modules": list(self.modules),
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
            "utf-8"
        )

    def armoured(self) -> str:
        return armour.encode(armour.LICENSE_LABEL, self.key_id, self.signature, self.payload)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(_("'{name}' must be a time like 2026-01-31T12:00:00Z").format(name=name))
    try:
        moment = datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        moment = None
    if moment is None or format_time(moment) != value:
        raise ValueError(_("'{name}' must be a time like 2026-01-31T12:00:00Z").format(name=name))
    return moment


def parse_license_text(text: str, source: str | None = None) -> License:
    """Parse an armoured license; raises LicenseMalformed (and nothing else) on bad input."""
    where = source if source is not None else _("the license text")
    try:
        block = armour.decode(text, armour.LICENSE_LABEL)
        parsed = parse_payload(block.payload)
    except ValueError as exc:
        raise LicenseMalformed(path=where, reason=str(exc)) from exc
    return replace(parsed, key_id=block.key_id, signature=block.signature, payload=block.payload)


class _RejectedJSONError(ValueError):
    """Valid JSON that a license payload must not contain."""


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _RejectedJSONError(_("the field '{name}' appears twice").format(name=key[:40]))
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise _RejectedJSONError(_("the payload holds {name}, which is not allowed").format(name=name))


def parse_payload(payload: bytes) -> License:
    """Parse payload bytes strictly; raises ValueError naming what is wrong."""
    try:
        data = json.loads(
            payload.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(_("the payload is not UTF-8 JSON")) from exc
    except _RejectedJSONError:
        raise
    except ValueError as exc:  # JSONDecodeError, or an integer with thousands of digits
        raise ValueError(_("the payload is not valid JSON")) from exc
    if not isinstance(data, dict):
        raise ValueError(_("the payload is not a JSON object"))
    payload_format = data.get("format")
    if "format" in data and (type(payload_format) is not int or payload_format != PAYLOAD_FORMAT):
        raise ValueError(
            _("payload format {format} is not supported: update Uzor").format(
                format=json.dumps(payload_format)[:20]
            )
        )
    _check_field_names(set(data), _FIELDS, _("the payload"))
    limits = data["limits"]
    if not isinstance(limits, dict):
        raise ValueError(_("'limits' must be a JSON object"))
    _check_field_names(set(limits), _LIMIT_FIELDS, "'limits'")
    not_after = data["not_after"]
    return License(
        license_id=_license_id(data["license_id"]),
        customer=_customer(data["customer"]),
        server=HardwareFacts.from_json_dict(data["server"]),
        issued_at=parse_time(data["issued_at"], "issued_at"),
        not_after=None if not_after is None else parse_time(not_after, "not_after"),
        limits=Limits(
            max_operators=_limit(limits["max_operators"], "max_operators"),
            max_pbx_units=_limit(limits["max_pbx_units"], "max_pbx_units"),
        ),
        modules=_modules(data["modules"]),
    )


def _check_field_names(present: set[str], expected: set[str], where: str) -> None:
    missing, extra = expected - present, present - expected
    if missing:
        raise ValueError(
            _("{where}: the field(s) {names} are missing").format(
                where=where, names=", ".join(sorted(missing))
            )
        )
    if extra:
        raise ValueError(
            _("{where}: unknown field(s) {names}").format(
                where=where, names=", ".join(sorted(name[:40] for name in extra)[:5])
            )
        )


def _license_id(value: object) -> str:
    if not isinstance(value, str) or not _LICENSE_ID_RE.match(value):
        raise ValueError(_("'license_id' must be 1-64 letters, digits, '.', '_' or '-'"))
    return value


def _customer(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_CUSTOMER:
        raise ValueError(_("'customer' must be a non-empty name of at most 200 characters"))
    if any(ord(char) < 32 for char in value):
        raise ValueError(_("'customer' must not contain control characters"))
    return value


def _limit(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_LIMIT:
        raise ValueError(_("'{name}' must be a whole number from 1 to 1000000").format(name=name))
    return value


def _modules(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > _MAX_MODULES:
        raise ValueError(_("'modules' must be a list of at most 64 module names"))
    for module in value:
        if not isinstance(module, str) or not _MODULE_RE.match(module):
            raise ValueError(_("'modules' holds an invalid module name"))
    if len(set(value)) != len(value):
        raise ValueError(_("'modules' lists a module twice"))
    return tuple(value)


def load_license(path: str | os.PathLike[str]) -> License:
    """Read and parse the license file; raises LicenseMissing or LicenseMalformed."""
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(armour.MAX_ARMOUR_CHARS + 1)
    except FileNotFoundError as exc:
        raise LicenseMissing(path=file) from exc
    except IsADirectoryError as exc:
        raise LicenseMalformed(path=file, reason=_("it is a directory")) from exc
    except OSError as exc:
        raise LicenseMalformed(
            path=file, reason=_("it cannot be read: {error}").format(error=exc.strerror)
        ) from exc
    if len(data) > armour.MAX_ARMOUR_CHARS:
        raise LicenseMalformed(path=file, reason=_("the file is far too large for a license"))
    if not data.strip():
        raise LicenseMalformed(path=file, reason=_("the file is empty"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LicenseMalformed(path=file, reason=_("it is not a text file")) from exc
    return parse_license_text(text, source=str(file))
