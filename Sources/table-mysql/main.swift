import TableProtocol

TableMain.run(MySQLTable.self)
