"""table-sqlite under the real smtpd 7.6 (the shared SQL scenario, sql_scenario.py); the
database is made unavailable by a writer holding an exclusive lock."""
import contextlib
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sql_scenario  # noqa: E402
from e2e_lib import main  # noqa: E402


class SQLiteDatabase(sql_scenario.Database):
    backend = "sqlite"
    placeholder = "?"

    def __init__(self, s, name="mail.db"):
        self.file = f"/etc/e2e/{name}"
        self.path = s.host_path(self.file)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)

    def execute(self, statements):
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
        os.chmod(self.path, 0o644)

    def config_header(self):
        return f"dbpath {self.file}\n"

    def description_of_unavailable(self):
        return "the database is locked"

    @contextlib.contextmanager
    def unavailable(self):
        holder = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


if __name__ == "__main__":
    main(lambda s, ports: sql_scenario.run(s, ports, SQLiteDatabase(s)))
