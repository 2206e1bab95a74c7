"""Creating the appliance's database and its two users on MariaDB/MySQL with pymysql,
idempotently: an existing database is kept, an existing user keeps its password when it still
works.

The admin's user owns the database (Django creates and alters its tables). The agency's user may
only read the admin's tables the agency reads (``appliance.contracts.tables.TABLES``) and do
anything with its own (``AGENCY_TABLES``); its grants are generated from that contract, so they
cannot drift from what the agency's code reads, and a re-run puts back exactly these grants."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pymysql

from appliance.contracts.tables import AGENCY_TABLES, TABLES
from configurator.i18n import _

ALL = "ALL PRIVILEGES"
SELECT = "SELECT"
USAGE = "USAGE"  # MariaDB's name for "no privileges": every account has this line


class DatabaseSetupError(Exception):
    """The server could not be reached or refused a statement; never contains a password."""


@dataclass(frozen=True)
class Server:
    """How the configurator reaches the server as its administrator."""

    admin_user: str
    admin_password: str
    socket: str | None = None
    host: str = "127.0.0.1"
    port: int = 3306

    def describe(self) -> str:
        return self.socket or f"{self.host}:{self.port}"

    def connect(self, user: str, password: str, database: str | None = None) -> Any:
        where: dict[str, Any] = (
            {"unix_socket": self.socket} if self.socket else {"host": self.host, "port": self.port}
        )
        return pymysql.connect(
            user=user,
            password=password,
            database=database,
            charset="utf8mb4",
            autocommit=True,
            connect_timeout=10,
            **where,
        )


@dataclass(frozen=True)
class AppAccount:
    database: str
    user: str
    password: str
    host: str  # the account's host part: "localhost" for the socket, "%" for a remote server


def ensure_database_and_user(server: Server, account: AppAccount) -> list[str]:
    """Create what is missing; returns what was changed (empty on a second run)."""
    changes: list[str] = []
    with _administrator(server) as cur:
        if not _database_exists(cur, account.database):
            cur.execute(
                f"CREATE DATABASE `{account.database}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            changes.append(_("database {name} created").format(name=account.database))
        changes += _ensure_user(cur, server, account)
        if not _has_all_privileges(cur, account):
            cur.execute(
                f"GRANT ALL PRIVILEGES ON `{account.database}`.* TO %s@%s",
                (account.user, account.host),
            )
            changes.append(_("privileges granted to user {name}").format(name=account.user))
    return changes


def ensure_user(server: Server, account: AppAccount) -> list[str]:
    """The account with its password (no grants of its own yet); what was changed."""
    with _administrator(server) as cur:
        return _ensure_user(cur, server, account)


@dataclass(frozen=True, order=True)
class Grant:
    """One table-level grant: ``privileges`` on ``database``.``table``."""

    privileges: str
    database: str
    table: str

    def statement(self) -> str:
        """The GRANT, with the account left as ``%s@%s`` parameters."""
        return f"GRANT {self.privileges} ON `{self.database}`.`{self.table}` TO %s@%s"


def agency_grants(database: str) -> list[Grant]:
    """Everything the agency's account may do, from the contract: SELECT on each admin table
    the agency reads, all on its own tables. Nothing else (the server-wide lock the agency takes,
    ``GET_LOCK``, needs no privilege)."""
    reads = sorted({table.table for table in TABLES})
    return [Grant(SELECT, database, name) for name in reads] + [
        Grant(ALL, database, name) for name in sorted(AGENCY_TABLES)
    ]


def ensure_agency_grants(server: Server, account: AppAccount) -> list[str]:
    """Give the agency's account exactly ``agency_grants``: the admin's tables must exist
    (after the migrations). Any other grant it has is taken away; returns what was changed."""
    wanted = agency_grants(account.database)
    with _administrator(server) as cur:
        if _current_grants(cur, account) == _grant_keys(wanted):
            return []
        cur.execute("REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s@%s", (account.user, account.host))
        for grant in wanted:
            cur.execute(grant.statement(), (account.user, account.host))
    return [_("privileges of user {name} set").format(name=account.user)]


_GRANT_LINE = re.compile(r"^GRANT (?P<privileges>.+?) ON (?P<object>\S+) TO ", re.IGNORECASE)


def parse_grants(lines: list[str]) -> set[tuple[str, str]]:
    """``SHOW GRANTS`` lines as (privileges, "database.table"), spelled one way (no quotes, no
    escapes, lower case); the ``USAGE`` line every account has is left out."""
    found: set[tuple[str, str]] = set()
    for line in lines:
        match = _GRANT_LINE.match(line)
        if match is None:
            found.add((line.lower(), ""))  # something this module never grants: repaired
            continue
        privileges = match["privileges"].strip().upper()
        target = re.sub(r"[`\\]", "", match["object"]).lower()
        if privileges != USAGE or target != "*.*":
            found.add((privileges.lower(), target))
    return found


def _grant_keys(grants: list[Grant]) -> set[tuple[str, str]]:
    return {(g.privileges.lower(), f"{g.database}.{g.table}".lower()) for g in grants}


def _current_grants(cur: Any, account: AppAccount) -> set[tuple[str, str]]:
    cur.execute("SHOW GRANTS FOR %s@%s", (account.user, account.host))
    return parse_grants([str(row[0]) for row in cur.fetchall()])


@contextmanager
def _administrator(server: Server) -> Iterator[Any]:
    """A cursor of the server's administrator; MariaDB's refusals become DatabaseSetupError."""
    try:
        conn = server.connect(server.admin_user, server.admin_password)
    except pymysql.MySQLError as exc:
        raise DatabaseSetupError(
            _("Cannot connect to the database server {server} as {user}: {reason}").format(
                server=server.describe(), user=server.admin_user, reason=_reason(exc)
            )
        ) from exc
    try:
        with conn, conn.cursor() as cur:
            yield cur
    except pymysql.MySQLError as exc:
        raise DatabaseSetupError(
            _("The database server refused: {reason}").format(reason=_reason(exc))
        ) from exc


def _ensure_user(cur: Any, server: Server, account: AppAccount) -> list[str]:
    if not _user_exists(cur, account):
        cur.execute(
            "CREATE USER %s@%s IDENTIFIED BY %s",
            (account.user, account.host, account.password),
        )
        return [_("user {name} created").format(name=account.user)]
    if not _password_works(server, account):
        cur.execute(
            "ALTER USER %s@%s IDENTIFIED BY %s",
            (account.user, account.host, account.password),
        )
        return [_("password of user {name} set").format(name=account.user)]
    return []


def _database_exists(cur: Any, name: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,))
    return cur.fetchone() is not None


def _user_exists(cur: Any, account: AppAccount) -> bool:
    cur.execute(
        "SELECT 1 FROM mysql.user WHERE User = %s AND Host = %s", (account.user, account.host)
    )
    return cur.fetchone() is not None


def _has_all_privileges(cur: Any, account: AppAccount) -> bool:
    cur.execute("SHOW GRANTS FOR %s@%s", (account.user, account.host))
    wanted = f"GRANT ALL PRIVILEGES ON `{account.database}`.*".lower()
    escaped = wanted.replace("_", "\\_")
    return any(str(row[0]).lower().startswith((wanted, escaped)) for row in cur.fetchall())


def _password_works(server: Server, account: AppAccount) -> bool:
    try:
        server.connect(account.user, account.password).close()
    except pymysql.MySQLError:
        return False
    return True


def _reason(exc: pymysql.MySQLError) -> str:
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    return str(args[1]) if len(args) > 1 else str(exc)
