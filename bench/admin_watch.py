"""What the agency's admin watch costs: one read of the admin's change counter, on a real
MariaDB (a throwaway server from the test fixtures), through the agency's own Database.

    .venv/bin/python bench/admin_watch.py [reads]

Prints the latency (median, p95) and the agency's CPU time per read; the agency reads once per
``admin_watch.interval`` (2 s by default).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appliance.agency.config import DatabaseConfig
from appliance.agency.database import Database
from testkit.mariadb import start_mariadb, stop_mariadb

COUNTER = (
    "CREATE TABLE callcenter_changecounter (id BIGINT PRIMARY KEY,"
    " value BIGINT UNSIGNED NOT NULL, changed_at DATETIME(6) NULL)"
)


async def measure(store: Database, reads: int) -> None:
    await store.change_counter()
    samples = []
    for _ in range(reads):
        started = time.perf_counter()
        await store.change_counter()
        samples.append(time.perf_counter() - started)
    samples.sort()
    median, p95 = statistics.median(samples), samples[int(0.95 * len(samples))]
    print(f"change-counter read, n={reads}: median {median * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms")
    cpu = time.process_time()
    for _ in range(reads):
        await store.change_counter()
    print(f"agency CPU per read: {(time.process_time() - cpu) / reads * 1e3:.3f} ms")


def main(reads: int) -> None:
    proc, server = start_mariadb()
    try:
        db = server.create_database()
        with db.connect() as connection, connection.cursor() as cursor:
            cursor.execute(COUNTER)
            cursor.execute("INSERT INTO callcenter_changecounter VALUES (1, 0, NULL)")
        with tempfile.TemporaryDirectory() as tmp:
            password = Path(tmp) / "db_password"
            password.write_text(db.password)
            store = Database(
                DatabaseConfig(
                    name=db.name, user=db.user, host=db.host, port=db.port, password_file=password
                )
            )
            asyncio.run(measure(store, reads))
            store.close()
    finally:
        stop_mariadb(proc, server)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
