"""The `uzor-license` sub-commands. Each takes the parsed arguments and the output stream and
returns normally on success; failures are raised (LicenseError, OSError, UsageError) and turned
into one stderr line and an exit code by `licensing.cli`."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from licensing.i18n import _
from licensing.issue import end_of_day, issue_license
from licensing.keys import generate_keypair, load_private_key, load_public_keys
from licensing.model import License, format_time, load_license
from licensing.server_id import collect_facts, current_server_id, parse_server_id
from licensing.signing import sign_file, verify_file
from licensing.verify import describe_facts, verify


class UsageError(Exception):
    """A bad option value; the message says which and what is expected."""


def keygen(args: argparse.Namespace, out: TextIO) -> None:
    try:
        private_path, public_path, new_key_id = generate_keypair(args.out)
    except FileExistsError as exc:
        raise UsageError(
            _(
                "{path} already exists and keygen never overwrites a key; choose another --out "
                "directory"
            ).format(path=exc.args[0])
        ) from exc
    print(
        _(
            "Private key: {path} (mode 0600; keep it offline, never in a package, a "
            "repository or a log)"
        ).format(path=private_path),
        file=out,
    )
    print(
        _("Public key:  {path} (ship it in uzor-common as /usr/share/uzor/keys/*.pub)").format(
            path=public_path
        ),
        file=out,
    )
    print(_("Key id:      {key_id}").format(key_id=new_key_id), file=out)


def server_id(args: argparse.Namespace, out: TextIO) -> None:
    print(current_server_id(), file=out)


def parse_expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            _("--expires must be a date like 2027-01-31, not {value!r}").format(value=value)
        ) from exc
    expiry = end_of_day(day)
    if expiry < datetime.now(UTC):
        raise UsageError(_("--expires {value} is in the past").format(value=value))
    return expiry


def parse_modules(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(module.strip() for module in value.split(",") if module.strip())


def sign(args: argparse.Namespace, out: TextIO) -> None:
    private_key = load_private_key(args.key)
    not_after = parse_expiry(args.expires)
    try:
        license = issue_license(
            private_key,
            server=parse_server_id(args.server_id),
            customer=args.customer,
            max_operators=args.max_operators,
            max_pbx_units=args.max_units,
            not_after=not_after,
            modules=parse_modules(args.modules),
            license_id=args.license_id,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    text = license.armoured()
    if args.output == "-":
        out.write(text)
        return
    target = Path(args.output)
    if target.exists() and not args.force:
        raise UsageError(_("{path} already exists; use --force to replace it").format(path=target))
    target.write_text(text, encoding="utf-8")
    print(
        _("Wrote license {license_id} for {customer} to {path}").format(
            license_id=license.license_id, customer=license.customer, path=target
        ),
        file=out,
    )


def verify_command(args: argparse.Namespace, out: TextIO) -> None:
    keys = load_public_keys(args.pubkey)
    server = parse_server_id(args.server_id) if args.server_id else collect_facts()
    license = load_license(args.file)
    verify(license, keys, server)
    print(
        _(
            "VALID: license {license_id} is signed by vendor key {key_id} and matches the "
            "server ({facts})."
        ).format(
            license_id=license.license_id,
            key_id=license.key_id,
            facts=describe_facts(license.server, server),
        ),
        file=out,
    )
    write_summary(license, out)


def show(args: argparse.Namespace, out: TextIO) -> None:
    license = load_license(args.file)
    print(
        _("NOT VERIFIED: this shows what the file says; `uzor-license verify` checks it."), file=out
    )
    write_summary(license, out)


def write_summary(license: License, out: TextIO) -> None:
    facts = license.server
    rows = [
        (_("License id"), license.license_id),
        (_("Customer"), license.customer),
        (_("Issued at"), format_time(license.issued_at)),
        (_("Expires"), format_time(license.not_after) if license.not_after else _("never")),
        (_("Max operators"), str(license.limits.max_operators)),
        (_("Max PBX units"), str(license.limits.max_pbx_units)),
        (_("Modules"), ", ".join(license.modules) or _("none")),
        (_("Vendor key id"), license.key_id),
        (_("Server host"), facts.hostname or "?"),
        (
            _("Server facts"),
            _("machine-id {m}, DMI UUID {d}, {n} NIC(s)").format(
                m=_("yes") if facts.machine_id else _("no"),
                d=_("yes") if facts.dmi_uuid else _("no"),
                n=len(facts.nics),
            ),
        ),
    ]
    width = max(len(label) for label, _value in rows) + 2
    for label, value in rows:
        print(f"{label + ':':<{width}}{value}", file=out)


def sign_file_command(args: argparse.Namespace, out: TextIO) -> None:
    private_key = load_private_key(args.key)
    target = Path(args.output or f"{args.file}.sig")
    target.write_text(sign_file(args.file, private_key), encoding="ascii")
    print(
        _("Wrote the signature of {file} to {path}").format(file=args.file, path=target), file=out
    )


def verify_file_command(args: argparse.Namespace, out: TextIO) -> None:
    keys = load_public_keys(args.pubkey)
    signature_path = Path(args.signature or f"{args.file}.sig")
    text = signature_path.read_text(encoding="utf-8", errors="replace")
    signer = verify_file(args.file, text, keys, signature_source=os.fspath(signature_path))
    print(
        _("VALID: {file} is signed by vendor key {key_id}").format(file=args.file, key_id=signer),
        file=out,
    )
