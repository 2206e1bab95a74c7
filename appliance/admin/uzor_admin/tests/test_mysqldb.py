import pymysql
import pytest


@pytest.mark.usefixtures("admin_db")
def test_pymysql_exceptions_stay_the_ones_it_raises_after_django_loads_the_backend():
    from django.db import connection

    connection.ensure_connection()
    assert pymysql.err.OperationalError is pymysql.OperationalError
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host="127.0.0.1", port=1, connect_timeout=1)
