/// Turns the rows a query returned into the answer smtpd expects, the same way for every
/// backend that reads rows of columns (sqlite, postgres, mysql):
///
/// - alias, mailaddrmap: column 0 of every row, joined with `", "`; NULL and empty values
///   are skipped (the C backends crashed or sent an empty element);
/// - credentials: `user:hash` from the first row, the hash without a `{CRYPT}`-style prefix;
/// - userinfo: `uid:gid:home` from the first row, uid and gid plain decimal;
/// - every other service: column 0 of the first row.
///
/// A NULL or empty column in a single-row answer is an error, never `found|` with nothing.
package struct LookupValue {
    package let service: Service
    /// The config key of the query, for messages (`query_alias`).
    package let source: String
    private var value: [UInt8] = []
    private var rows = 0
    private var failure: String?

    package init(service: Service, source: String) {
        self.service = service
        self.source = source
    }

    /// Whether more rows can change the answer; stop reading rows when false.
    package var wantsMoreRows: Bool {
        failure == nil && (rows == 0 || service.joinsAllRows)
    }

    /// Adds one row; `column(i)` gives column i's bytes, nil for SQL NULL.
    package mutating func add(columns count: Int, _ column: (Int) -> [UInt8]?) {
        guard wantsMoreRows else { return }
        rows += 1
        if service.joinsAllRows {
            guard let element = column(0), !element.isEmpty else { return }
            if value.isEmpty {
                // The first (often the only) element becomes the value as it is: no copy.
                value = element
            } else {
                value.append(UInt8(ascii: ","))
                value.append(UInt8(ascii: " "))
                value.append(contentsOf: element)
            }
            if value.count > Reply.maximumValueLength {
                failure = "\(source) result too large (over \(Reply.maximumValueLength) bytes)"
            }
            return
        }
        var columns: [[UInt8]] = []
        for index in 0..<count {
            guard let bytes = column(index) else {
                failure = "\(source) returned NULL in column \(index + 1)"
                return
            }
            guard !bytes.isEmpty else {
                failure = "\(source) returned an empty value in column \(index + 1)"
                return
            }
            columns.append(bytes)
        }
        switch service {
        case .credentials where columns.count == 2:
            value = Self.colonJoined([columns[0], CryptHash.withoutScheme(columns[1])])
        case .userinfo where columns.count == 3:
            guard UserInfo.isID(columns[0]), UserInfo.isID(columns[1]) else {
                failure = "\(source) returned a uid or gid that is not a number from 0 to \(UInt32.max)"
                return
            }
            value = Self.colonJoined(columns)
        default:
            value = columns.first ?? []
        }
    }

    /// `a:b[:c]` in one array of the right size (`+` makes a temporary array per operand).
    static func colonJoined(_ parts: [[UInt8]]) -> [UInt8] {
        var joined: [UInt8] = []
        joined.reserveCapacity(parts.reduce(parts.count - 1) { $0 + $1.count })
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.append(UInt8(ascii: ":")) }
            joined.append(contentsOf: part)
        }
        return joined
    }

    /// The answer after the last row. Consuming: the value moves into the answer instead of
    /// being shared with a copy that is dropped right after (a retain and release a lookup).
    package consuming func answer() -> Answer {
        if let failure { return .error(failure) }
        if rows == 0 || value.isEmpty { return .notFound }
        return .found(value)
    }
}

/// userinfo values: `uid:gid:home`, as smtpd parses them (strtonum, 0 to UINT_MAX).
package enum UserInfo {
    /// A uid or gid smtpd accepts: plain decimal, no sign, at most 2^32 - 1.
    package static func isID(_ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 10, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return UInt64(String(decoding: bytes, as: UTF8.self)).map { $0 <= UInt64(UInt32.max) } ?? false
    }
}
