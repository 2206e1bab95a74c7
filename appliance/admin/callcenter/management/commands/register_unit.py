"""``uzor-admin register_unit``: add or update a PBX unit without the admin's pages.

For Ansible and scripts: the unit's token is written only where ``--token-file`` says (a new
file of mode 0600, or standard output for a pipe), never into a message or a log; the AMI
secret is read from a file or standard input, never from the command line.

    uzor-admin register_unit --name pbx1 --address 192.0.2.20 --token-file - | ssh unit ...
    uzor-admin register_unit --name pbx1 --ami-secret-file - < secret
    uzor-admin register_unit --name pbx1 --ami-users-file - < /etc/asterisk/manager.d/uzor.conf
    uzor-admin register_unit --name pbx1 --ami-port 5039 --ami-cert-file ami-tls.crt

``--ami-users-file`` takes the unit's ``manager.d/uzor.conf`` (or what ``uzor-pbx-setup
--ami-secret-out`` wrote: the same ``[user]`` / ``secret = ...`` lines): the admin's AMI user is
``uzor-admin`` and the agency's ``uzor-agency``; a unit set up before the two users has only
``[uzor]``, which then serves both.

``--ami-cert-file`` takes the unit's AMI certificate (``uzor-pbx-setup --ami-cert-out``, or the
unit's ``/etc/asterisk/uzor/ami-tls.crt``): the admin and the agency then reach the unit's AMI
over TLS trusting only that certificate; an empty file goes back to plain TCP.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from uzor_common import language

from ...models import PbxUnit

STDIO = "-"
ADMIN_AMI_USER = "uzor-admin"
AGENCY_AMI_USER = "uzor-agency"
OLD_AMI_USER = "uzor"  # one user for both, before issue 13
# What the options set on the unit: option name -> model field.
FIELDS = {
    "address": "address",
    "ami_port": "ami_port",
    "ami_user": "ami_user",
    "sip_address": "sip_address",
    "description": "description",
}


def read_secret(source: str, stdin: TextIO) -> str:
    """The first line of a file or of standard input, without its line end."""
    if source == STDIO:
        text = stdin.readline()
    else:
        try:
            with open(source, encoding="utf-8") as handle:
                text = handle.readline()
        except OSError as exc:
            raise CommandError(
                _("cannot read %(path)s: %(reason)s") % {"path": source, "reason": exc.strerror}
            ) from exc
    secret = text.rstrip("\r\n")
    if not secret:
        raise CommandError(_("the AMI secret in %(path)s is empty") % {"path": source})
    return secret


def read_ami_users(source: str, stdin: TextIO) -> dict[str, str]:
    """The AMI users' secrets in a manager.conf-style text: ``[user]`` then ``secret = ...``.

    Returns the unit's fields: ``ami_user``/``ami_secret`` and, when the unit has it,
    ``agency_ami_user``/``agency_ami_secret``."""
    if source == STDIO:
        text = stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("cannot read %(path)s: %(reason)s") % {"path": source, "reason": exc.strerror}
            ) from exc
    found: dict[str, str] = {}
    user = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            user = line[1:-1].strip()
        elif user and line.replace(" ", "").startswith("secret="):
            found.setdefault(user, line.split("=", 1)[1].strip())
    admin = ADMIN_AMI_USER if found.get(ADMIN_AMI_USER) else OLD_AMI_USER
    if not found.get(admin):
        raise CommandError(
            _("%(path)s names no AMI user %(admin)s (or %(old)s) with a secret")
            % {"path": source, "admin": ADMIN_AMI_USER, "old": OLD_AMI_USER}
        )
    fields = {"ami_user": admin, "ami_secret": found[admin]}
    if found.get(AGENCY_AMI_USER):
        fields["agency_ami_user"] = AGENCY_AMI_USER
        fields["agency_ami_secret"] = found[AGENCY_AMI_USER]
    return fields


def read_certificate(source: str, stdin: TextIO) -> str:
    """The whole PEM text of a file or of standard input (checked when the unit is saved)."""
    if source == STDIO:
        return stdin.read().strip()
    try:
        return Path(source).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not a text file")
        raise CommandError(
            _("cannot read %(path)s: %(reason)s") % {"path": source, "reason": reason}
        ) from exc


def write_token(destination: str, token: str) -> None:
    """A new file only its owner can read (replacing an old one), or standard output."""
    if destination == STDIO:
        return
    path = Path(destination)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CommandError(
            _("cannot write the token to %(path)s: %(reason)s")
            % {"path": destination, "reason": exc.strerror}
        ) from exc


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Add or update a PBX unit; optionally issue its token into a file or a pipe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="the unit's name (Latin letters, digits, _ -)"
        )
        parser.add_argument("--address", help="host name or IP address of the unit (for AMI)")
        parser.add_argument("--ami-port", type=int, help="AMI port (default 5038)")
        parser.add_argument(
            "--ami-user",
            help="the admin's AMI user (default uzor-admin, as uzor-pbx-setup makes it)",
        )
        parser.add_argument(
            "--ami-secret-file", help="file whose first line is the AMI secret, or - for stdin"
        )
        parser.add_argument(
            "--ami-users-file",
            help="the unit's manager.d/uzor.conf (or uzor-pbx-setup's --ami-secret-out file), "
            "or - for stdin: sets the admin's and the agency's AMI users and secrets",
        )
        parser.add_argument(
            "--ami-cert-file",
            help="the unit's AMI certificate (uzor-pbx-setup --ami-cert-out), or - for stdin: "
            "AMI over TLS trusting only it (an empty file: plain TCP)",
        )
        parser.add_argument("--sip-address", help="host[:port] where gateways reach the unit")
        parser.add_argument("--description", help="free text")
        parser.add_argument(
            "--token-file",
            help="issue a new token (the old one stops working) and write it to this new 0600 "
            "file, or - for standard output",
        )
        parser.add_argument("--json", action="store_true", help="report as one JSON object")
        parser.add_argument("--lang", choices=["en", "ru"], help="language of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"] or language.from_environment()):
            self._register(options)

    def _register(self, options: dict[str, Any]) -> None:
        token_file = options["token_file"]
        secret, users = self._read_files(options)
        with transaction.atomic():
            unit = PbxUnit.objects.select_for_update().filter(name=options["name"]).first()
            created = unit is None
            if unit is None:
                if not options["address"]:
                    raise CommandError(
                        _("PBX unit %(name)s does not exist yet: --address is required")
                        % {"name": options["name"]}
                    )
                # Until the unit's real AMI secret is given, one nobody knows.
                unit = PbxUnit(
                    name=options["name"],
                    ami_user=ADMIN_AMI_USER,
                    ami_secret=secrets.token_urlsafe(24),
                )
            changed = self._apply_options(unit, options, secret)
            for field, value in users.items():
                if getattr(unit, field) != value:
                    setattr(unit, field, value)
                    changed.append(field)
            token = unit.issue_token() if token_file else None
            if created or changed or token:
                try:
                    unit.save()
                except ValidationError as exc:
                    raise CommandError(self._describe(exc)) from exc
        if token is not None:
            write_token(token_file, token)
        self._report(
            unit,
            created=created,
            changed=changed,
            token=token,
            token_file=token_file,
            as_json=options["json"],
        )
        if unit.ami_in_clear_over_network:
            self.stderr.write(
                _(
                    "warning: AMI to %(address)s is plain TCP: the AMI secrets and call control "
                    "cross the network unencrypted; give the unit's AMI certificate "
                    "(--ami-cert-file) and --ami-port 5039"
                )
                % {"address": unit.address}
            )

    @staticmethod
    def _read_files(options: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
        """The admin's AMI secret (--ami-secret-file) and the fields the other files set."""
        stdin = options.get("stdin") or sys.stdin
        if options["ami_secret_file"] and options.get("ami_users_file"):
            raise CommandError(_("give --ami-secret-file or --ami-users-file, not both"))
        readers = [options.get(o) for o in ("ami_secret_file", "ami_users_file", "ami_cert_file")]
        if readers.count(STDIO) > 1:
            raise CommandError(_("only one of the --ami-*-file options may read standard input"))
        secret = None
        if options["ami_secret_file"]:
            secret = read_secret(options["ami_secret_file"], stdin)
        fields = {}
        if options.get("ami_users_file"):
            fields = read_ami_users(options["ami_users_file"], stdin)
        if options.get("ami_cert_file"):
            fields["ami_tls_certificate"] = read_certificate(options["ami_cert_file"], stdin)
        return secret, fields

    @staticmethod
    def _apply_options(unit: PbxUnit, options: dict[str, Any], secret: str | None) -> list[str]:
        changed = []
        for option, field in FIELDS.items():
            value = options[option]
            if value is not None and getattr(unit, field) != value:
                setattr(unit, field, value)
                changed.append(field)
        if secret is not None and unit.ami_secret != secret:
            unit.ami_secret = secret
            changed.append("ami_secret")
        return changed

    @staticmethod
    def _describe(exc: ValidationError) -> str:
        if hasattr(exc, "message_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)

    def _report(
        self,
        unit: PbxUnit,
        *,
        created: bool,
        changed: list[str],
        token: str | None,
        token_file: str | None,
        as_json: bool,
    ) -> None:
        token_to_stdout = token is not None and token_file == STDIO
        if as_json:
            report: dict[str, Any] = {
                "unit": unit.name,
                "created": created,
                "changed": bool(created or changed or token),
                "fields": changed,
                "token_issued": token is not None,
                "applied_revision": unit.applied_revision,
                "last_apply_ok": unit.last_apply_ok,
            }
            if token_to_stdout:
                report["token"] = token
            self.stdout.write(json.dumps(report))
            return
        if token_to_stdout:
            self.stdout.write(str(token))
        messages = self.stderr if token_to_stdout else self.stdout
        if created:
            text = _("PBX unit %(name)s added.")
        elif changed:
            text = _("PBX unit %(name)s updated: %(fields)s.")
        else:
            text = _("PBX unit %(name)s is unchanged.")
        messages.write(text % {"name": unit.name, "fields": ", ".join(changed)})
        if token is not None and not token_to_stdout:
            messages.write(
                _("A new token was written to %(path)s; the old one no longer works.")
                % {"path": token_file}
            )
