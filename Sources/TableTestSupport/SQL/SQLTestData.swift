/// The rows the SQL backends' tests query (table-sqlite, table-postgres, table-mysql),
/// written once and rendered as SQL for each server: the same data, so the same answers
/// (SQLServiceChecks), whatever the dialect.
package enum SQLTestData {
    /// The SQL each server understands.
    package enum Dialect: Sendable { case sqlite, postgres, mysql }

    /// A column's kind; each dialect has its own type for it.
    enum Kind { case text, longText, keyText, integer }

    /// A value to insert.
    enum Value: ExpressibleByStringLiteral {
        case text(String)
        case integer(Int64)
        case null
        init(stringLiteral text: String) { self = .text(text) }
    }

    struct Table {
        var name: String
        var columns: [(name: String, kind: Kind)]
        /// Rows come back in insertion order: MariaDB gets an id column to `ORDER BY`.
        var ordered = false
        var rows: [[Value]]
    }

    static let aliceHash = "$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS"
    static let bobHash = "$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq"

    static let tables: [Table] = [
        Table(name: "domains", columns: [("domain", .text)], rows: [["example.org"], ["example.net"], [.null], [""]]),
        Table(name: "virtuals", columns: [("email", .keyText), ("destination", .longText)], ordered: true, rows: [
            ["postmaster@example.org", "alice@example.org"],
            ["postmaster@example.org", .null],
            ["postmaster@example.org", ""],
            ["postmaster@example.org", "bob@example.org"],
            ["alice@example.org", "vmail"],
            ["@example.net", "alice@example.org"],
            ["nullonly@example.org", .null],
            ["crlf@example.org", "evil\r\nlookup-result|x|found|y"],
            ["big@example.org", .text(String(repeating: "x", count: 3000))],
            ["long@example.org", .text(String(repeating: "l", count: 2000))],
            ["pipe|key", "piped"],
            ["%", "percent"],
            ["_", "underscore"],
            ["o'brien@example.org", "quote"],
            ["back\\slash@example.org", "backslash"],
            ["éclair@example.org", "utf8"],
            [.text(String(repeating: "k", count: 1023)), "longest key"],
        ]),
        Table(name: "credentials", columns: [("email", .text), ("password", .text)], rows: [
            ["alice@example.org", .text(aliceHash)],
            ["bob@example.org", .text("{BLF-CRYPT}" + bobHash)],
            ["nopass@example.org", .null],
            ["empty@example.org", ""],
            ["colon@example.org", .text(aliceHash)],
        ]),
        Table(name: "users", columns: [("login", .text), ("uid", .integer), ("gid", .integer), ("maildir", .text)], rows: [
            ["vmail", .integer(5000), .integer(5000), "/var/vmail"],
            ["negative", .integer(-5), .integer(0), "/h"],
            ["nohome", .integer(1), .integer(1), .null],
            ["big", .integer(4_294_967_295), .integer(4_294_967_295), "/big"],
        ]),
        Table(name: "senders", columns: [("login", .text), ("address", .text)], ordered: true, rows: [
            ["alice@example.org", "alice@example.org"], ["alice@example.org", "@example.net"],
        ]),
        Table(name: "networks", columns: [("address", .text)], rows: [["127.0.0.1"], ["[::1]"]]),
        Table(name: "relays", columns: [("address", .text)], rows: [["192.0.2.3"], ["192.0.2.1"], ["192.0.2.2"], ["192.0.2.1"]]),
        Table(name: "names", columns: [("address", .text), ("name", .text)], rows: [["192.0.2.1", "mx.example.org"]]),
    ]

    /// The script that drops and creates every table and fills it, in `dialect`.
    package static func script(_ dialect: Dialect) -> String {
        var lines: [String] = []
        for table in tables {
            lines.append("DROP TABLE IF EXISTS \(table.name);")
            var columns = table.columns.map { "\($0.name) \(dialect.type(of: $0.kind))" }
            if table.ordered && dialect == .mysql { columns.insert("id INT AUTO_INCREMENT PRIMARY KEY", at: 0) }
            lines.append("CREATE TABLE \(table.name) (\(columns.joined(separator: ", ")));")
        }
        for table in tables {
            let rows = table.rows.map { "(" + $0.map(dialect.literal).joined(separator: ", ") + ")" }
            lines.append("INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES\n    "
                         + rows.joined(separator: ",\n    ") + ";")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SQLTestData.Dialect {
    func type(of kind: SQLTestData.Kind) -> String {
        switch (self, kind) {
        case (.mysql, .text): "VARCHAR(255)"
        case (.mysql, .keyText): "VARCHAR(1100)"  // keys up to smtpd's 1023 bytes
        case (.sqlite, .integer): "INTEGER"
        case (_, .integer): "BIGINT"
        default: "TEXT"
        }
    }

    /// A value as an SQL literal. Control characters go in through the dialect's char()
    /// function (a raw CR inside a literal would be at the mercy of each client's line
    /// reading); MariaDB also reads backslashes in literals as escapes.
    func literal(_ value: SQLTestData.Value) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let number): return String(number)
        case .text(let text):
            var pieces: [String] = []
            var plain = ""
            for character in text.unicodeScalars {
                if character.value < 0x20 {
                    pieces.append(quoted(plain))
                    plain = ""
                    pieces.append(self == .postgres ? "chr(\(character.value))" : "CHAR(\(character.value))")
                } else {
                    plain.unicodeScalars.append(character)
                }
            }
            pieces.append(quoted(plain))
            if pieces.count == 1 { return pieces[0] }
            return self == .mysql ? "CONCAT(\(pieces.joined(separator: ", ")))" : pieces.joined(separator: " || ")
        }
    }

    private func quoted(_ text: String) -> String {
        var escaped = text.replacing("'", with: "''")
        if self == .mysql { escaped = escaped.replacing("\\", with: "\\\\") }
        return "'\(escaped)'"
    }
}
