import TableProtocol

TableMain.run(RedisTable.self)
