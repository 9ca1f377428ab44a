"""table-sqlite's answer cache under the real smtpd 7.6 (sql_scenario.run_cache): with
cache_ttl and cache_stale_ttl, while a writer holds the database locked past the timeout,
mail to a recipient seen before is accepted and delivered, mail to one never seen gets a
4xx. A database file of its own (sqlite.py's is already filled)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sql_scenario  # noqa: E402
from e2e_lib import main  # noqa: E402
from sqlite import SQLiteDatabase  # noqa: E402

main(lambda s, ports: sql_scenario.run_cache(s, ports, SQLiteDatabase(s, "mail-cache.db")))
