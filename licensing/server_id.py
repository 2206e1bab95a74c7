"""The server ID: which machine a license belongs to.

A server ID is `1|<base64(zlib(json))>`. The leading `1` is the format version. The JSON holds
salted hashes (HMAC-SHA256, truncated to 128 bits, one salt per fact) of three hardware facts,
never the raw values:

- `machine_id`: /etc/machine-id (written once by systemd at installation);
- `dmi_uuid`: the DMI product UUID (/sys/class/dmi/id/product_uuid), null when unreadable, as on
  many VMs and without root;
- `nics`: the MAC addresses of the physical network interfaces (sorted, deduplicated);

plus `hostname`, shown to people and never compared.

Matching rule (LIC-5): a license matches a server when at least 2 of the 3 facts match.
- `machine_id` matches when both sides have it and the hashes are equal;
- `dmi_uuid` matches when both sides have it and the hashes are equal (a fact missing on
  either side never matches, so two machines without DMI do not match on that fact);
- `nics` matches when at least one licensed NIC is still present on the server.
So replacing one NIC, losing access to DMI, or reinstalling the OS (a new machine-id) keeps the
license valid; a different machine (or a clone of a VM with new NICs and a new DMI UUID) does not.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass

from licensing.errors import MalformedServerId
from licensing.i18n import _

SERVER_ID_VERSION = "1"
REQUIRED_MATCHES = 2
FACT_NAMES = ("machine_id", "dmi_uuid", "nics")
_SALTS = {
    "machine_id": b"uzor/server-id/v1/machine-id",
    "dmi_uuid": b"uzor/server-id/v1/dmi-product-uuid",
    "nics": b"uzor/server-id/v1/nic-mac",
}
_HASH_HEX_LENGTH = 32
_MAX_NICS = 64
_MAX_HOSTNAME = 253
_MAX_DECOMPRESSED = 64 * 1024
_MAX_SERVER_ID = 16 * 1024


@dataclass(frozen=True)
class HardwareFacts:
    """The hashed facts of one server (see the module docstring for the matching rule)."""

    machine_id: str | None
    dmi_uuid: str | None
    nics: tuple[str, ...]
    hostname: str = ""

    def matching_facts(self, server: HardwareFacts) -> tuple[str, ...]:
        """The names of the facts that `server` shares with these (licensed) facts."""
        matched = []
        if self.machine_id is not None and self.machine_id == server.machine_id:
            matched.append("machine_id")
        if self.dmi_uuid is not None and self.dmi_uuid == server.dmi_uuid:
            matched.append("dmi_uuid")
        if set(self.nics) & set(server.nics):
            matched.append("nics")
        return tuple(matched)

    def matches(self, server: HardwareFacts) -> bool:
        return len(self.matching_facts(server)) >= REQUIRED_MATCHES

    def to_json_dict(self) -> dict[str, object]:
        return {
            "machine_id": self.machine_id,
            "dmi_uuid": self.dmi_uuid,
            "nics": list(self.nics),
            "hostname": self.hostname,
        }

    @classmethod
    def from_json_dict(cls, data: object) -> HardwareFacts:
        """Build facts from decoded JSON; raises ValueError naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError(_("the server facts are not a JSON object"))
        expected = {"machine_id", "dmi_uuid", "nics", "hostname"}
        if set(data) != expected:
            raise ValueError(
                _("the server facts must have exactly the fields {fields}").format(
                    fields=", ".join(sorted(expected))
                )
            )
        nics = data["nics"]
        if not isinstance(nics, list) or len(nics) > _MAX_NICS:
            raise ValueError(_("'nics' must be a list of at most {n} hashes").format(n=_MAX_NICS))
        hostname = data["hostname"]
        if (
            not isinstance(hostname, str)
            or len(hostname) > _MAX_HOSTNAME
            or not hostname.isprintable()
        ):
            raise ValueError(_("'hostname' must be a short text"))
        return cls(
            machine_id=_optional_hash(data["machine_id"], "machine_id"),
            dmi_uuid=_optional_hash(data["dmi_uuid"], "dmi_uuid"),
            nics=tuple(sorted({_hash_field(nic, "nics") for nic in nics})),
            hostname=hostname,
        )


def _hash_field(value: object, name: str) -> str:
    if (
        not isinstance(value, str)
        or len(value) != _HASH_HEX_LENGTH
        or any(c not in "0123456789abcdef" for c in value)
    ):
        raise ValueError(
            _("'{name}' must hold {n} lower-case hex digits").format(name=name, n=_HASH_HEX_LENGTH)
        )
    return value


def _optional_hash(value: object, name: str) -> str | None:
    return None if value is None else _hash_field(value, name)


def hash_fact(fact: str, raw_value: str) -> str:
    """The salted hash of one raw fact value as it appears in a server ID."""
    digest = hmac.new(_SALTS[fact], raw_value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:_HASH_HEX_LENGTH]


def facts_from_raw(
    machine_id: str | None, dmi_uuid: str | None, macs: list[str], hostname: str
) -> HardwareFacts:
    """Hash raw, already normalised values into facts."""
    return HardwareFacts(
        machine_id=hash_fact("machine_id", machine_id) if machine_id else None,
        dmi_uuid=hash_fact("dmi_uuid", dmi_uuid) if dmi_uuid else None,
        nics=tuple(sorted({hash_fact("nics", mac) for mac in macs})),
        hostname="".join(char for char in hostname if char.isprintable())[:_MAX_HOSTNAME],
    )


def format_server_id(facts: HardwareFacts) -> str:
    """Encode facts as `1|<base64(zlib(json))>`."""
    payload = json.dumps(facts.to_json_dict(), sort_keys=True, separators=(",", ":"))
    packed = base64.b64encode(zlib.compress(payload.encode("utf-8"), 9)).decode("ascii")
    return f"{SERVER_ID_VERSION}|{packed}"


def parse_server_id(text: str) -> HardwareFacts:
    """Decode a server ID; raises MalformedServerId saying what is wrong."""
    text = "".join(text.split())
    if len(text) > _MAX_SERVER_ID:
        raise MalformedServerId(reason=_("it is far too long"))
    version, sep, packed = text.partition("|")
    if not sep:
        raise MalformedServerId(reason=_("it does not start with '1|'"))
    if version != SERVER_ID_VERSION:
        raise MalformedServerId(
            reason=_("version {version} is not supported").format(version=version[:10])
        )
    try:
        compressed = base64.b64decode(packed, validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, _MAX_DECOMPRESSED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise MalformedServerId(reason=_("the data is cut off or too large"))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedServerId(reason=_("the data after '1|' is damaged")) from exc
    try:
        return HardwareFacts.from_json_dict(data)
    except ValueError as exc:
        raise MalformedServerId(reason=str(exc)) from exc


def collect_facts() -> HardwareFacts:
    """The facts of this machine (see `licensing.hardware`)."""
    from licensing.hardware import read_host

    return read_host().facts()


def current_server_id() -> str:
    """This machine's server ID."""
    return format_server_id(collect_facts())
