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
        // One row, every column a value. The answer uses at most the first three columns,
        // kept in variables rather than an array of columns: the joined value of credentials
        // and userinfo is then the only thing a lookup allocates, and other services none.
        var first: [UInt8] = [], second: [UInt8] = [], third: [UInt8] = []
        for index in 0..<count {
            guard let bytes = column(index) else {
                failure = "\(source) returned NULL in column \(index + 1)"
                return
            }
            guard !bytes.isEmpty else {
                failure = "\(source) returned an empty value in column \(index + 1)"
                return
            }
            switch index {
            case 0: first = bytes
            case 1: second = bytes
            case 2: third = bytes
            default: break
            }
        }
        switch service {
        case .credentials where count == 2:
            value = Self.colonJoined(first, second[CryptHash.schemeLength(second)...])
        case .userinfo where count == 3:
            guard UserInfo.isID(first), UserInfo.isID(second) else {
                failure = "\(source) returned a uid or gid that is not a number from 0 to \(UInt32.max)"
                return
            }
            value = Self.colonJoined(first, second[...], third)
        default:
            value = first
        }
    }

    /// `a:b[:c]` in one array of the right size (`+` makes a temporary array per operand).
    static func colonJoined(_ first: [UInt8], _ second: ArraySlice<UInt8>, _ third: [UInt8]? = nil) -> [UInt8] {
        let colon = UInt8(ascii: ":")
        var joined: [UInt8] = []
        joined.reserveCapacity(first.count + 1 + second.count + (third.map { $0.count + 1 } ?? 0))
        joined.append(contentsOf: first)
        joined.append(colon)
        joined.append(contentsOf: second)
        if let third {
            joined.append(colon)
            joined.append(contentsOf: third)
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
