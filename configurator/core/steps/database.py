"""Step "database": the database and its two users (the admin's, owning it, and the agency's)
with generated passwords, then the configuration files of the admin and the agency. The agency's
user gets its grants in the "agency_access" step, once the migrations made the admin's tables."""

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
    ensure_user,
)
from configurator.core.files import (
    AGENCY_USER,
    Owner,
    ensure_dir,
    ensure_secret,
    ensure_signing_key,
    new_secret,
    read_secret,
    service_owner,
    write_file,
    write_public_key,
)
from configurator.core.questions import Choice, Kind, Question, valid_identifier, valid_port
from configurator.core.step import DAEMON_RELOAD, Progress, StepError, StepResult
from configurator.core.templates import render
from configurator.i18n import _, current_language

LOCAL_SOCKET = "/run/mysqld/mysqld.sock"
AGENCY_SUFFIX = "_agency"
MAX_USER_NAME = 32  # MySQL's limit (MariaDB allows 80)


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
        server = server_from_answers(answers)
        owner = service_owner()
        secret_owner = service_owner(user_only=True)
        agency_owner = service_owner(name=AGENCY_USER)
        agency_secret_owner = service_owner(user_only=True, name=AGENCY_USER)
        # Nothing is written before the server accepted the database and the users.
        account = AppAccount(
            database=answers["database.name"],
            user=answers["database.user"],
            password=read_secret(ctx.paths.db_password_file) or new_secret(),
            host=account_host(answers),
        )
        agency = AppAccount(
            database=account.database,
            user=agency_user_name(account.user),
            password=read_secret(ctx.paths.agency_db_password_file) or new_secret(),
            host=account.host,
        )
        try:
            changes = ensure_database_and_user(server, account)
            changes += ensure_user(server, agency)
        except DatabaseSetupError as exc:
            raise StepError(str(exc)) from exc
        for change in changes:
            progress("  " + change)
        if not changes:
            progress("  " + _("the database and the user are already in place"))
        # 0751: the agency's user (not in group uzor) passes through to its own directory and
        # the license, and reads nothing else here
        changed = ensure_dir(ctx.paths.etc_uzor, 0o751, owner)
        changed = ensure_dir(ctx.paths.secrets_dir, 0o750, owner) or changed
        changed = (
            write_file(ctx.paths.db_password_file, account.password + "\n", 0o600, secret_owner)
            or changed
        )
        changed = ensure_dir(ctx.paths.agency_dir, 0o750, agency_owner) or changed
        changed = ensure_dir(ctx.paths.agency_conf_d, 0o750, agency_owner) or changed
        changed = ensure_dir(ctx.paths.agency_secrets_dir, 0o700, agency_secret_owner) or changed
        changed = (
            write_file(
                ctx.paths.agency_db_password_file,
                agency.password + "\n",
                0o600,
                agency_secret_owner,
            )
            or changed
        )
        progress(_("Preparing the configuration files..."))
        files = ConfigFiles(
            admin_db=_settings(account, server),
            agency_db=_settings(agency, server),
            owner=owner,
            secret_owner=secret_owner,
            agency_owner=agency_owner,
            agency_secret_owner=agency_secret_owner,
        )
        changed = _write_config_files(ctx, files, progress) or changed
        if ctx.paths.agency_legacy_user_dropin.exists():
            # the agency's files are its own now: it runs as its own user again
            ctx.paths.agency_legacy_user_dropin.unlink()
            ctx.state[DAEMON_RELOAD] = True
            changed = True
        return StepResult(changed=changed or bool(changes))


def server_from_answers(answers: Mapping[str, Any]) -> Server:
    """How the configurator reaches the database server as its administrator."""
    local = _is_local(answers)
    return Server(
        admin_user=answers["database.admin_user"],
        admin_password=answers.get("database.admin_password") or "",
        socket=answers["database.socket"] if local else None,
        host=answers.get("database.host") or "127.0.0.1",
        port=int(answers.get("database.port") or 3306),
    )


def account_host(answers: Mapping[str, Any]) -> str:
    """The accounts' host part: "localhost" for the socket, "%" for a remote server."""
    return "localhost" if _is_local(answers) else "%"


def agency_user_name(admin_user: str) -> str:
    """The agency's database user, named after the admin's: ``uzor`` -> ``uzor_agency``."""
    return admin_user[: MAX_USER_NAME - len(AGENCY_SUFFIX)] + AGENCY_SUFFIX


def _settings(account: AppAccount, server: Server) -> DbSettings:
    return DbSettings(
        name=account.database,
        user=account.user,
        host="localhost" if server.socket else server.host,
        port=server.port,
        socket=server.socket,
    )


@dataclass(frozen=True)
class ConfigFiles:
    admin_db: DbSettings
    agency_db: DbSettings
    owner: Owner
    secret_owner: Owner
    agency_owner: Owner
    agency_secret_owner: Owner


def _write_config_files(ctx: Context, files: ConfigFiles, progress: Progress) -> bool:
    paths = ctx.paths
    changed = ensure_secret(paths.django_secret_key_file, files.secret_owner, length=48)[1]
    changed = _agency_token(ctx, files.agency_secret_owner) or changed
    changed = ensure_signing_key(paths.bundle_signing_key_file, files.secret_owner) or changed
    changed = ensure_signing_key(paths.supervisor_signing_key_file, files.secret_owner) or changed
    changed = (
        write_public_key(
            paths.supervisor_signing_key_file, paths.agency_supervisor_key_file, files.agency_owner
        )
        or changed
    )
    admin_yaml = render(
        "admin.yaml.j2", paths=paths, db=files.admin_db, signalling_from=_signalling_from(ctx)
    )
    agency_yaml = render(
        "agency.yaml.j2",
        paths=paths,
        db=files.agency_db,
        instance=1,
        language=current_language(),
    )
    written = [
        (paths.admin_config, admin_yaml, files.owner),
        (paths.agency_config(1), agency_yaml, files.agency_owner),
    ]
    for path, text, owner in written:
        if write_file(path, text, 0o640, owner):
            progress("  " + _("written: {path}").format(path=path))
            changed = True
    return changed


def _agency_token(ctx: Context, owner: Owner) -> bool:
    """The agency's API token in the agency's own secrets; one kept where versions before
    the agency's own system user had it is moved (integrations keep their token)."""
    paths = ctx.paths
    legacy = read_secret(paths.legacy_agency_token_file)
    if legacy and read_secret(paths.agency_token_file) is None:
        write_file(paths.agency_token_file, legacy + "\n", 0o600, owner)
    changed = ensure_secret(paths.agency_token_file, owner)[1]
    if paths.legacy_agency_token_file.exists():
        paths.legacy_agency_token_file.unlink()
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
