import TableProtocol

TableMain.run(PostgresTable.self)
