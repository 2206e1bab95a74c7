"""PyMySQL as Django's MySQLdb, without a second copy of its submodules.

``pymysql.install_as_MySQLdb()`` aliases only the package. Django then imports
``MySQLdb.converters`` and ``MySQLdb.constants``, which Python loads again under the new
names; that re-import also re-binds ``pymysql.err`` to a second copy, so
``except pymysql.err.OperationalError`` stops matching what pymysql raises elsewhere in the
process. Aliasing every loaded submodule first keeps one copy of each.
"""

from __future__ import annotations

import sys

import pymysql
import pymysql.connections
import pymysql.constants.CLIENT
import pymysql.constants.FIELD_TYPE
import pymysql.converters
import pymysql.cursors
import pymysql.err


def install() -> None:
    pymysql.install_as_MySQLdb()
    for name, module in list(sys.modules.items()):
        if name.startswith("pymysql."):
            sys.modules.setdefault("MySQLdb." + name.removeprefix("pymysql."), module)
