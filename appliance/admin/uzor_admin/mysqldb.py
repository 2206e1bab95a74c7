"""PyMySQL standing in for MySQLdb under Django's MySQL backend."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pymysql


def install_pymysql() -> None:
    """Alias every PyMySQL submodule under ``MySQLdb.*`` before Django imports them.

    ``pymysql.install_as_MySQLdb()`` aliases only the top-level module. Django then imports
    ``MySQLdb.constants`` and ``MySQLdb.converters``, which executes PyMySQL's files a second
    time under new names and rebinds ``pymysql.err`` to a copy whose exception classes are not
    the ones PyMySQL raises, so ``except pymysql.err.OperationalError`` silently stops matching
    anywhere in the process.
    """
    sys.modules.setdefault("MySQLdb", pymysql)
    for info in pkgutil.walk_packages(pymysql.__path__, "pymysql."):
        module = importlib.import_module(info.name)
        sys.modules.setdefault("MySQLdb" + info.name.removeprefix("pymysql"), module)
