import sys

import pymysql
import pymysql.err


def test_django_mysql_backend_shares_pymysql_modules():
    import django.db.backends.mysql.base as backend  # imports MySQLdb.converters, .constants

    assert pymysql.err is sys.modules["pymysql.err"]
    assert sys.modules["MySQLdb.converters"] is sys.modules["pymysql.converters"]
    assert backend.Database.OperationalError is pymysql.err.OperationalError
    try:
        pymysql.err.raise_mysql_exception(b"\xff\x15\x04#28000Access denied")
    except pymysql.err.OperationalError as exc:
        assert exc.args[0] == 1045
