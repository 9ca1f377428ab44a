import TableProtocol

TableMain.run(LDAPTable.self)
