"""Step "database": the database and its user with a generated password, then the
configuration files of the admin and the agency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from configurator.core.context import Context
from configurator.core.dbsetup import (
    AppAccount,
    DatabaseSetupError,
    Server,
    ensure_database_and_user,
)
from configurator.core.files import (
    Owner,
    ensure_dir,
    ensure_secret,
    ensure_signing_key,
    new_secret,
    read_secret,
    service_owner,
    write_file,
)
from configurator.core.questions import Choice, Kind, Question, valid_identifier, valid_port
from configurator.core.step import Progress, StepError, StepResult
from configurator.core.templates import render
from configurator.i18n import _, current_language

LOCAL_SOCKET = "/run/mysqld/mysqld.sock"


@dataclass(frozen=True)
class DbSettings:
    """What the admin and the agency are told about the database."""

    name: str
    user: str
    host: str
    port: int
    socket: str | None


def _is_local(answers: Mapping[str, Any]) -> bool:
    mode: object = answers.get("database.mode", "local")
    return mode == "local"


def _is_existing(answers: Mapping[str, Any]) -> bool:
    return not _is_local(answers)


class DatabaseStep:
    id = "database"

    def title(self) -> str:
        return _("Database")

    def intro(self, ctx: Context) -> str:
        return _(
            "The appliance keeps its data in MariaDB/MySQL: a database and a dedicated user "
            "with a generated password are created (an existing one is kept)."
        )

    def questions(self, ctx: Context) -> list[Question]:
        current = _current_database_config(ctx)
        mode = "local" if current.get("socket") or not current else "existing"
        return [
            Question(
                "database.mode",
                Kind.CHOICE,
                _("Database server"),
                default=mode,
                choices=(
                    Choice("local", _("Local MariaDB/MySQL on this server")),
                    Choice("existing", _("An existing server on the network")),
                ),
            ),
            Question(
                "database.socket",
                Kind.TEXT,
                _("Socket of the local server"),
                default=current.get("socket") or LOCAL_SOCKET,
                when=_is_local,
            ),
            Question(
                "database.host",
                Kind.TEXT,
                _("Server address"),
                default=current.get("host") or "127.0.0.1",
                when=_is_existing,
            ),
            Question(
                "database.port",
                Kind.INTEGER,
                _("Server port"),
                default=current.get("port") or 3306,
                validate=valid_port,
                when=_is_existing,
            ),
            Question(
                "database.admin_user",
                Kind.TEXT,
                _("Administrator of the database server"),
                default="root",
            ),
            Question(
                "database.admin_password",
                Kind.PASSWORD,
                _("Administrator's password (empty: log in through the socket as root)"),
                default="",
                required=False,
            ),
            Question(
                "database.name",
                Kind.TEXT,
                _("Database name"),
                default=current.get("name") or "uzor",
                validate=valid_identifier,
            ),
            Question(
                "database.user",
                Kind.TEXT,
                _("Database user of the appliance"),
                default=current.get("user") or "uzor",
                validate=valid_identifier,
            ),
        ]

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        progress(_("Creating the database and the user."))
        local = _is_local(answers)
        server = Server(
            admin_user=answers["database.admin_user"],
            admin_password=answers.get("database.admin_password") or "",
            socket=answers["database.socket"] if local else None,
            host=answers.get("database.host") or "127.0.0.1",
            port=int(answers.get("database.port") or 3306),
        )
        owner = service_owner()
        secret_owner = service_owner(user_only=True)
        # Nothing is written before the server accepted the database and the user.
        password = read_secret(ctx.paths.db_password_file) or new_secret()
        account = AppAccount(
            database=answers["database.name"],
            user=answers["database.user"],
            password=password,
            host="localhost" if local else "%",
        )
        try:
            changes = ensure_database_and_user(server, account)
        except DatabaseSetupError as exc:
            raise StepError(str(exc)) from exc
        for change in changes:
            progress("  " + change)
        if not changes:
            progress("  " + _("the database and the user are already in place"))
        changed = ensure_dir(ctx.paths.etc_uzor, 0o750, owner)
        changed = ensure_dir(ctx.paths.secrets_dir, 0o750, owner) or changed
        changed = (
            write_file(ctx.paths.db_password_file, password + "\n", 0o600, secret_owner) or changed
        )
        db = DbSettings(
            name=account.database,
            user=account.user,
            host="localhost" if local else server.host,
            port=server.port,
            socket=server.socket,
        )
        progress(_("Preparing the configuration files..."))
        changed = _write_config_files(ctx, db, owner, secret_owner, progress) or changed
        return StepResult(changed=changed or bool(changes))


def _write_config_files(
    ctx: Context, db: DbSettings, owner: Owner, secret_owner: Owner, progress: Progress
) -> bool:
    paths = ctx.paths
    changed = ensure_secret(paths.django_secret_key_file, secret_owner, length=48)[1]
    changed = ensure_secret(paths.agency_token_file, secret_owner)[1] or changed
    changed = ensure_signing_key(paths.bundle_signing_key_file, secret_owner) or changed
    files = {
        paths.admin_config: render(
            "admin.yaml.j2", paths=paths, db=db, signalling_from=_signalling_from(ctx)
        ),
        paths.agency_config(1): render(
            "agency.yaml.j2", paths=paths, db=db, instance=1, language=current_language()
        ),
    }
    ensure_dir(paths.agency_config(1).parent, 0o750, owner)
    for path, text in files.items():
        if write_file(path, text, 0o640, owner):
            progress("  " + _("written: {path}").format(path=path))
            changed = True
    return changed


def _current_database_config(ctx: Context) -> dict[str, Any]:
    """The database section of an existing admin.yaml: the defaults of a re-run."""
    try:
        data = yaml.safe_load(ctx.paths.admin_config.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    section = data.get("database") if isinstance(data, dict) else None
    return section if isinstance(section, dict) else {}


def _signalling_from(ctx: Context) -> list[str]:
    """Where the PBX units take the workplaces' SIP from: this app node (its nginx proxies
    /sip to the units), by loopback and by each of its addresses."""
    own = [f"{ip}/{ip.max_prefixlen}" for ip in ctx.addresses()]
    return ["127.0.0.0/8", "::1/128", *own]
