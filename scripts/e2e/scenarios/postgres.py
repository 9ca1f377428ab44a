"""table-postgres under the real smtpd 7.6 (the shared SQL scenario, sql_scenario.py),
against the PostgreSQL test server (scripts/servers/postgres.sh) in a database of its own;
the database is made unavailable by freezing the server (SIGSTOP, its control script)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sql_scenario  # noqa: E402
from e2e_lib import main  # noqa: E402

NAMES = ("POSTGRES_TEST_PORT", "POSTGRES_TEST_SOCKET_DIR", "POSTGRES_TEST_USER",
         "POSTGRES_TEST_PASSWORD", "POSTGRES_TEST_PSQL", "POSTGRES_TEST_CONTROL")


class PostgresDatabase(sql_scenario.ServerDatabase):
    backend = "postgres"
    placeholder = "$1"
    server = "PostgreSQL"
    control = "POSTGRES_TEST_CONTROL"

    def __init__(self, env):
        super().__init__(env)
        self.superuser(f"DROP DATABASE IF EXISTS {self.name}")
        self.superuser(f"CREATE DATABASE {self.name} OWNER {env['POSTGRES_TEST_USER']}")

    def psql(self, arguments, sql, **environment):
        result = subprocess.run([self.env["POSTGRES_TEST_PSQL"], "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                 "-p", self.env["POSTGRES_TEST_PORT"], *arguments], input=sql, text=True,
                                capture_output=True, timeout=30, env={**os.environ, **environment})
        if result.returncode != 0:
            raise RuntimeError(f"psql: {result.stderr}")

    def superuser(self, sql):
        self.psql(["-h", self.env["POSTGRES_TEST_SOCKET_DIR"], "-U", "postgres", "-d", "postgres"], sql + ";\n")

    def execute(self, statements):
        # As the table's user, who then owns the tables it reads.
        self.psql(["-h", "127.0.0.1", "-U", self.env["POSTGRES_TEST_USER"], "-d", self.name],
                  "".join(statement + ";\n" for statement in statements),
                  PGPASSWORD=self.env["POSTGRES_TEST_PASSWORD"])

    def config_header(self):
        e = self.env
        return (f"conninfo host=127.0.0.1 port={e['POSTGRES_TEST_PORT']} dbname={self.name} "
                f"user={e['POSTGRES_TEST_USER']} password={e['POSTGRES_TEST_PASSWORD']}\n")

    def cleanup(self):
        self.superuser(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def run(s, ports):
    sql_scenario.run_on_server(s, ports, NAMES, PostgresDatabase)


if __name__ == "__main__":
    main(run)
