import TableProtocol

TableMain.run(PasswdTable.self)
