"""table-mysql under the real smtpd 7.6 (the shared SQL scenario, sql_scenario.py),
against the MariaDB test server (scripts/servers/mariadb.sh) in a database of its own;
the database is made unavailable by freezing the server (SIGSTOP, its control script)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sql_scenario  # noqa: E402
from e2e_lib import main  # noqa: E402

NAMES = ("MARIADB_TEST_PORT", "MARIADB_TEST_SOCKET", "MARIADB_TEST_USER",
         "MARIADB_TEST_PASSWORD", "MARIADB_TEST_CONTROL")


class MariaDBDatabase(sql_scenario.ServerDatabase):
    backend = "mysql"
    placeholder = "?"
    server = "MariaDB"
    control = "MARIADB_TEST_CONTROL"

    def __init__(self, env):
        super().__init__(env)
        user = env["MARIADB_TEST_USER"]
        self.root(f"DROP DATABASE IF EXISTS {self.name}; CREATE DATABASE {self.name} CHARACTER SET utf8mb4;"
                  f" GRANT ALL ON {self.name}.* TO '{user}'@'127.0.0.1';"
                  f" GRANT ALL ON {self.name}.* TO '{user}'@'localhost';")

    def root(self, sql, database=None):
        command = ["mariadb", "--no-defaults", f"--socket={self.env['MARIADB_TEST_SOCKET']}", "-u", "root"]
        result = subprocess.run(command + ([database] if database else []), input=sql, text=True,
                                capture_output=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"mariadb: {result.stderr}")

    def execute(self, statements):
        self.root("".join(statement + ";\n" for statement in statements), database=self.name)

    def config_header(self):
        e = self.env
        return (f"host 127.0.0.1\nport {e['MARIADB_TEST_PORT']}\nusername {e['MARIADB_TEST_USER']}\n"
                f"password {e['MARIADB_TEST_PASSWORD']}\ndatabase {self.name}\n")

    def cleanup(self):
        self.root(f"DROP DATABASE IF EXISTS {self.name}")


def run(s, ports):
    sql_scenario.run_on_server(s, ports, NAMES, MariaDBDatabase)


if __name__ == "__main__":
    main(run)
