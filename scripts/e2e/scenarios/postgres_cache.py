"""table-postgres's answer cache under the real smtpd 7.6 (sql_scenario.run_cache): with
cache_ttl and cache_stale_ttl, while the PostgreSQL test server is stopped, mail to a
recipient seen before is accepted and delivered, mail to one never seen gets a 4xx."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sql_scenario  # noqa: E402
from e2e_lib import main  # noqa: E402
from postgres import NAMES, PostgresDatabase  # noqa: E402

main(lambda s, ports: sql_scenario.run_on_server(s, ports, NAMES, PostgresDatabase, sql_scenario.run_cache))
