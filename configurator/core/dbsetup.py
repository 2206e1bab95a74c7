"""Creating the appliance's database and its user on MariaDB/MySQL with pymysql, idempotently:
an existing database is kept, an existing user keeps its password when it still works."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pymysql

from configurator.i18n import _


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
    try:
        conn = server.connect(server.admin_user, server.admin_password)
    except pymysql.MySQLError as exc:
        raise DatabaseSetupError(
            _("Cannot connect to the database server {server} as {user}: {reason}").format(
                server=server.describe(), user=server.admin_user, reason=_reason(exc)
            )
        ) from exc
    changes: list[str] = []
    try:
        with conn, conn.cursor() as cur:
            if not _database_exists(cur, account.database):
                cur.execute(
                    f"CREATE DATABASE `{account.database}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
                changes.append(_("database {name} created").format(name=account.database))
            if not _user_exists(cur, account):
                cur.execute(
                    "CREATE USER %s@%s IDENTIFIED BY %s",
                    (account.user, account.host, account.password),
                )
                changes.append(_("user {name} created").format(name=account.user))
            elif not _password_works(server, account):
                cur.execute(
                    "ALTER USER %s@%s IDENTIFIED BY %s",
                    (account.user, account.host, account.password),
                )
                changes.append(_("password of user {name} set").format(name=account.user))
            if not _has_all_privileges(cur, account):
                cur.execute(
                    f"GRANT ALL PRIVILEGES ON `{account.database}`.* TO %s@%s",
                    (account.user, account.host),
                )
                changes.append(_("privileges granted to user {name}").format(name=account.user))
    except pymysql.MySQLError as exc:
        raise DatabaseSetupError(
            _("The database server refused: {reason}").format(reason=_reason(exc))
        ) from exc
    return changes


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
        server.connect(account.user, account.password, account.database).close()
    except pymysql.MySQLError:
        return False
    return True


def _reason(exc: pymysql.MySQLError) -> str:
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    return str(args[1]) if len(args) > 1 else str(exc)
