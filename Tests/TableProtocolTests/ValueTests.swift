import Testing
@testable import TableProtocol

@Suite struct LookupValueTests {
    func build(_ service: Service, _ rows: [[String?]]) -> Answer {
        var value = LookupValue(service: service, source: "query_\(service)")
        for row in rows where value.wantsMoreRows {
            value.add(columns: row.count) { row[$0].map { Array($0.utf8) } }
        }
        return value.answer()
    }

    @Test func aliasJoinsEveryRowAndSkipsNullAndEmpty() {
        #expect(build(.alias, [["a@x"], [nil], [""], ["b@x"]]) == .found("a@x, b@x"))
        #expect(build(.mailaddrmap, [["@x"], ["u@y"]]) == .found("@x, u@y"))
        #expect(build(.alias, [[nil]]) == .notFound)
        #expect(build(.alias, []) == .notFound)
    }

    @Test func aliasTooLargeStopsEarly() {
        let rows = Array(repeating: [String?.some(String(repeating: "a", count: 100))], count: 100)
        guard case .error(let message) = build(.alias, rows) else {
            Issue.record("not an error")
            return
        }
        #expect(message.contains("too large"))
    }

    @Test func singleRowServicesUseTheFirstRow() {
        #expect(build(.domain, [["example.org"], ["other"]]) == .found("example.org"))
        #expect(build(.credentials, [["u@x", "$2b$08$abc"], ["v", "w"]]) == .found("u@x:$2b$08$abc"))
        #expect(build(.userinfo, [["5000", "5000", "/var/vmail"]]) == .found("5000:5000:/var/vmail"))
    }

    @Test func nullOrEmptyInASingleRowIsAnError() {
        #expect(build(.credentials, [["u@x", nil]]) == .error("query_credentials returned NULL in column 2"))
        #expect(build(.domain, [[""]]) == .error("query_domain returned an empty value in column 1"))
        #expect(build(.userinfo, [[nil, "1", "/h"]]) == .error("query_userinfo returned NULL in column 1"))
    }

    @Test func userinfoIdsMustBeWhatSmtpdAccepts() {
        for uid in ["-5", "abc", "4294967296", "1.5", " 5"] {
            guard case .error = build(.userinfo, [[uid, "5000", "/h"]]) else {
                Issue.record("uid \(uid) accepted")
                continue
            }
        }
        #expect(build(.userinfo, [["4294967295", "0", "/h"]]) == .found("4294967295:0:/h"))
    }

    @Test func credentialsLoseCryptSchemePrefixes() {
        #expect(build(.credentials, [["u", "{BLF-CRYPT}$2y$05$xyz"]]) == .found("u:$2y$05$xyz"))
        #expect(build(.credentials, [["u", "{crypt}$6$salt$hash"]]) == .found("u:$6$salt$hash"))
        #expect(build(.credentials, [["u", "{SSHA}abc"]]) == .found("u:{SSHA}abc"))
    }
}

/// The storage a SQL connection copies columns into, shared with the answers it makes.
@Suite struct ColumnBufferTests {
    func copy(_ text: String, into buffer: ColumnBuffer, column: Int = 0) -> [UInt8] {
        Array(text.utf8).withUnsafeBufferPointer { buffer.copy($0, column: column) }
    }

    /// An answer made from one copy keeps its bytes while the next requests copy theirs
    /// (as a cached answer does).
    @Test func aKeptValueIsNotChangedByTheNextCopy() {
        let buffer = ColumnBuffer()
        let kept = copy("first@example.org", into: buffer)
        let second = copy("second", into: buffer)
        _ = copy("", into: buffer)
        #expect(kept == Array("first@example.org".utf8))
        #expect(second == Array("second".utf8))
        let large = String(repeating: "x", count: ColumnBuffer.largestKept + 1)
        #expect(copy(large, into: buffer) == Array(large.utf8))
        // Columns past the kept ones get arrays of their own.
        let past = copy("past", into: buffer, column: ColumnBuffer.columnsKept)
        #expect(past == Array("past".utf8))
    }

    /// The columns of one row are held at once, each in its own kept storage.
    @Test func eachColumnKeepsItsOwnStorage() {
        let buffer = ColumnBuffer()
        let columns = (0...ColumnBuffer.columnsKept).map { copy("column \($0)", into: buffer, column: $0) }
        #expect(columns.map { String(decoding: $0, as: UTF8.self) } == (0...ColumnBuffer.columnsKept).map { "column \($0)" })
    }

    /// Every column of every row comes through the same buffer, as a connection hands them
    /// to `LookupValue`: joined rows and two-column rows keep each column's own bytes.
    @Test func rowsCopiedThroughOneBufferMakeTheRightAnswers() {
        let buffer = ColumnBuffer()
        func build(_ service: Service, _ rows: [[String]]) -> Answer {
            var value = LookupValue(service: service, source: "query_\(service)")
            for row in rows where value.wantsMoreRows {
                value.add(columns: row.count) { copy(row[$0], into: buffer, column: $0) }
            }
            return value.answer()
        }
        #expect(build(.alias, [["a@x"], ["b@x"], ["c@x"]]) == .found("a@x, b@x, c@x"))
        #expect(build(.credentials, [["u@x", "{CRYPT}$2b$08$abc"]]) == .found("u@x:$2b$08$abc"))
        #expect(build(.userinfo, [["5000", "5001", "/var/vmail"]]) == .found("5000:5001:/var/vmail"))
        #expect(build(.alias, [["only@x"]]) == .found("only@x"))
        #expect(build(.domain, [["example.org", "b", "c", "d", "e"]]) == .found("example.org"))
        #expect(build(.credentials, [["u@x", "$2b$08$abc", "extra"]]) == .found("u@x"))
    }
}

@Suite struct FetchRotationTests {
    /// spec §5.4: rows 192.168.1.7, 10.0.0.8, 10.0.0.8, 172.16.0.1 with refresh 3.
    @Test func upstreamRotationOrder() throws {
        let rotation = FetchRotation(expire: 60, refresh: 3)
        var loads = 0
        let rows = ["192.168.1.7", "10.0.0.8", "10.0.0.8", "172.16.0.1"].map { Array($0.utf8) }
        var answers: [Answer] = []
        for _ in 0..<5 {
            answers.append(try rotation.next { () throws(TableError) in
                loads += 1
                return rows
            })
        }
        #expect(answers == ["10.0.0.8", "172.16.0.1", "192.168.1.7", "10.0.0.8", "172.16.0.1"].map { Answer.found($0) })
        #expect(loads == 2)
    }

    @Test func failedReloadIsThrownAndKeepsTheOldSet() throws {
        let rotation = FetchRotation(expire: 60, refresh: 1)
        #expect(try rotation.next { () throws(TableError) in [Array("192.0.2.1".utf8)] } == .found("192.0.2.1"))
        do {
            _ = try rotation.next { () throws(TableError) in throw TableError(.closed, "down") }
            Issue.record("a failed reload must be thrown")
        } catch {
            #expect(error.kind == .closed && error.message == "down")
        }
        #expect(try rotation.next { () throws(TableError) in [Array("192.0.2.2".utf8)] } == .found("192.0.2.2"))
        #expect(try rotation.next { () throws(TableError) in [] } == .notFound)
    }
}

@Suite struct CryptHashTests {
    // Made with crypt_gensalt/crypt from libxcrypt; passwords in the test names.
    static let bcrypt = Array("$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS".utf8) // alice-secret
    static let sha512 = Array("$6$saltsalt$d574LmfMyQnEYNioegmwjPSZf7ow4NFX5FZoc2y2bcS40Ewc554K6V9ItMeLzi8a1/cxWnKeK1p9.I8yzxa2y0".utf8) // sha-secret

    @Test func verifiesBcryptAndRejectsWrongPasswords() {
        #expect(CryptHash.verify(password: Array("alice-secret".utf8), hash: Self.bcrypt))
        #expect(!CryptHash.verify(password: Array("alice-secreT".utf8), hash: Self.bcrypt))
        #expect(!CryptHash.verify(password: [], hash: Self.bcrypt))
        #expect(!CryptHash.verify(password: Array("x".utf8), hash: []))
        #expect(!CryptHash.verify(password: Array("x".utf8), hash: Array("*".utf8)))
        #expect(CryptHash.verify(password: Array("sha-secret".utf8), hash: Self.sha512))
        #expect(!CryptHash.verify(password: Array("sha-secreT".utf8), hash: Self.sha512))
    }

    @Test func verifiesPrefixedAnd2yHashes() {
        #expect(CryptHash.verify(password: Array("alice-secret".utf8), hash: Array("{BLF-CRYPT}".utf8) + Self.bcrypt))
        let twoY = Array("$2y$".utf8) + Self.bcrypt.dropFirst(4)
        #expect(CryptHash.verify(password: Array("alice-secret".utf8), hash: twoY))
    }

    @Test func unverifiableSchemesAreNamed() {
        #expect(CryptHash.unverifiableScheme(Array("{PLAIN}secret".utf8)) == "{PLAIN}")
        #expect(CryptHash.unverifiableScheme(Array("{SHA512-CRYPT}$6$x".utf8)) == nil)
        #expect(CryptHash.unverifiableScheme(Self.bcrypt) == nil)
    }

    @Test func constantTimeEqual() {
        #expect(CryptHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!CryptHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!CryptHash.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!CryptHash.constantTimeEqual([], [0]))
    }
}
