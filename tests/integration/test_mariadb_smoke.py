import pymysql
import pytest

from testkit.mariadb import MariaDB

pytestmark = pytest.mark.integration

# pymysql.OperationalError, not pymysql.err.OperationalError: once Django's MySQL backend imports
# MySQLdb.* (pymysql.install_as_MySQLdb), `pymysql.err` is rebound to a second copy of the module
# whose classes are not the ones pymysql raises.


def test_it_round_trips_a_row(mariadb_database):
    with mariadb_database.connect(autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))")
        cur.execute("INSERT INTO t VALUES (1, %s)", ("Оператор",))
        cur.execute("SELECT name FROM t WHERE id = 1")
        assert cur.fetchone() == ("Оператор",)


def test_it_creates_and_drops_a_database(mariadb: MariaDB):
    db = mariadb.create_database()
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        assert cur.fetchone() == (db.name,)
    mariadb.drop_database(db)
    with mariadb.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES LIKE %s", (db.name,))
        assert cur.fetchone() is None
    with pytest.raises(pymysql.OperationalError):
        db.connect().close()


def test_a_database_user_cannot_read_another_database(mariadb: MariaDB):
    first, second = mariadb.create_database(), mariadb.create_database()
    try:
        with (
            first.connect() as conn,
            conn.cursor() as cur,
            pytest.raises(pymysql.OperationalError),
        ):
            cur.execute(f"SELECT 1 FROM `{second.name}`.nothing")
    finally:
        mariadb.drop_database(first)
        mariadb.drop_database(second)
