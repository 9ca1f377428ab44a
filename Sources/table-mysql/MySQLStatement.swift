import CMariaDB
import TableProtocol

/// One prepared statement and the buffers its parameter and result columns are bound to.
///
/// Every column is fetched as a string into a small buffer; a longer value is fetched again
/// whole with mysql_stmt_fetch_column, using the real length the library reports (upstream
/// answered `error` past 2048 bytes). NULL comes from the is_null flag, so a NULL column can
/// never show a previous row's value (upstream's stale-buffer bug).
final class MySQLStatement {
    static let columnBufferSize = 256
    /// Longer values are read only this far: enough to be refused as too large.
    static let longestValueRead = 4096

    let key: String
    private var handle: UnsafeMutablePointer<MYSQL_STMT>?
    private var columns = 0
    private var results: UnsafeMutablePointer<MYSQL_BIND>?
    private var buffers: UnsafeMutablePointer<UInt8>?
    private var lengths: UnsafeMutablePointer<UInt>?
    private var nulls: UnsafeMutablePointer<my_bool>?
    private var truncated: UnsafeMutablePointer<my_bool>?
    private let parameter = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: 1)
    /// Where a row's column is copied to, reused by every execution of this statement.
    private let columnBuffer = ColumnBuffer()
    private let parameterLength = UnsafeMutablePointer<UInt>.allocate(capacity: 1)

    init(_ handle: UnsafeMutablePointer<MYSQL_STMT>, key: String) {
        self.handle = handle
        self.key = key
        parameter.initialize(to: MYSQL_BIND())
        parameterLength.initialize(to: 0)
    }

    deinit {
        close()
        parameter.deallocate()
        parameterLength.deallocate()
        results?.deallocate()
        buffers?.deallocate()
        lengths?.deallocate()
        nulls?.deallocate()
        truncated?.deallocate()
    }

    /// Frees the statement on the server and in the library; must run before mysql_close.
    func close() {
        if let handle { mysql_stmt_close(handle) }
        handle = nil
    }

    /// Binds every result column to its buffer, once: the bindings hold across executions.
    func bindResults(columns count: Int) -> Bool {
        guard let handle else { return false }
        columns = count
        let size = Self.columnBufferSize
        let results = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: max(count, 1))
        let buffers = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1) * size)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: max(count, 1))
        let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: max(count, 1))
        let truncated = UnsafeMutablePointer<my_bool>.allocate(capacity: max(count, 1))
        (self.results, self.buffers, self.lengths, self.nulls, self.truncated) = (results, buffers, lengths, nulls, truncated)
        for index in 0..<count {
            lengths[index] = 0
            nulls[index] = 0
            truncated[index] = 0
            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = UnsafeMutableRawPointer(buffers + index * size)
            bind.buffer_length = UInt(size)
            bind.length = lengths + index
            bind.is_null = nulls + index
            bind.error = truncated + index
            results.advanced(by: index).initialize(to: bind)
        }
        return mysql_stmt_bind_result(handle, results) == 0
    }

    /// Executes with `key` bound as a string and hands each row to `row`. The whole result
    /// is read (mysql_stmt_store_result) before the first row is handed over, so a lost
    /// connection is reported before any row.
    func run(key: UnsafeBufferPointer<UInt8>?, row: (SQLRow) -> Bool) throws(TableError) {
        guard let handle else { throw TableError(.closed, "\(self.key): statement closed") }
        if let key {
            // The library reads the key during mysql_stmt_execute, while it is still valid.
            // An empty key is bound with its length, 0, at any valid address (a NULL buffer
            // would be SQL NULL).
            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = key.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? UnsafeMutableRawPointer(parameterLength)
            bind.buffer_length = UInt(key.count)
            parameterLength.pointee = UInt(key.count)
            bind.length = parameterLength
            parameter.pointee = bind
            guard mysql_stmt_bind_param(handle, parameter) == 0 else { throw failure(handle) }
        }
        guard mysql_stmt_execute(handle) == 0, mysql_stmt_store_result(handle) == 0 else { throw failure(handle) }
        defer { mysql_stmt_free_result(handle) }
        while true {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { return }
            guard status == 0 || status == MYSQL_DATA_TRUNCATED else {
                throw TableError(.request, "\(self.key): \(String(cString: mysql_stmt_error(handle)))")
            }
            if !row({ column in value(handle, column) }) { return }
        }
    }

    /// Column `index` of the current row: nil for NULL.
    private func value(_ handle: UnsafeMutablePointer<MYSQL_STMT>, _ index: Int) -> [UInt8]? {
        guard index < columns, let buffers, let lengths, let nulls, nulls[index] == 0 else { return nil }
        let length = Int(lengths[index])
        let size = Self.columnBufferSize
        if length <= size {
            return columnBuffer.copy(UnsafeBufferPointer(start: buffers + index * size, count: length), column: index)
        }
        var whole = [UInt8](repeating: 0, count: min(length, Self.longestValueRead))
        var wholeLength: UInt = 0
        var isNull: my_bool = 0
        let status: Int32 = whole.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &wholeLength) { lengthPointer in
                withUnsafeMutablePointer(to: &isNull) { nullPointer in
                    var bind = MYSQL_BIND()
                    bind.buffer_type = MYSQL_TYPE_STRING
                    bind.buffer = raw.baseAddress
                    bind.buffer_length = UInt(raw.count)
                    bind.length = lengthPointer
                    bind.is_null = nullPointer
                    return mysql_stmt_fetch_column(handle, &bind, UInt32(index), 0)
                }
            }
        }
        guard status == 0, isNull == 0 else { return nil }
        return whole
    }

    private func failure(_ handle: UnsafeMutablePointer<MYSQL_STMT>) -> TableError {
        let code = mysql_stmt_errno(handle)
        let message = "\(key): \(String(cString: mysql_stmt_error(handle)))"
        return TableError(MySQLConnection.isConnectionLost(code) ? .closed : .request, message)
    }
}
