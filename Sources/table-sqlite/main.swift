import TableProtocol

TableMain.run(SQLiteTable.self)
