import TableProtocol

TableMain.run(SocketmapTable.self)
