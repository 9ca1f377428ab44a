#if canImport(Testing)
// Testing is there for debug and test builds; a release build compiles every target against
// the static stdlib, which has none, and gets an empty module from this file.
import Testing
import TableDriver

/// A SQL backend's test fixture (table-sqlite, table-postgres, table-mysql): a config
/// reaching its database, which holds SQLTestData fresh, and the table started on it.
package protocol SQLTableFixture: TableFixture {
    /// How the backend's queries write the key: `$1` or `?`.
    static var placeholder: String { get }
    /// Query lines for every service of the test data.
    static var queries: String { get }
    /// A fixture on fresh test data whose config has `body` after its connection lines.
    init(_ body: String) throws
    /// The answer to a key with a NUL in it: never cut short to "alice@example.org" (bound
    /// with its length: `not-found`; refused where the client library takes C strings).
    static var keyWithNULAnswer: String { get }
    /// Checks of this backend's own after everyServiceFoundAndNotFound's, on its table.
    static func moreServiceChecks(_ table: TableProcess) throws
}

extension SQLTableFixture {
    /// What smtpd calls the table in the tests' requests.
    package static var tableName: String { "virtuals" }
    package static var keyWithNULAnswer: String { "not-found" }
    package static func moreServiceChecks(_ table: TableProcess) throws {}
}

/// The checks of SQLServiceChecks by name: each backend runs them all as one parameterized
/// test, `@Test(arguments: SQLServiceCheck.allCases)`.
package enum SQLServiceCheck: String, CaseIterable, Sendable {
    case registersExactlyTheConfiguredServices, everyServiceFoundAndNotFound, fetchRotatesSortedAddressesLikeUpstream
    case nullEmptyAndBadValuesAreErrorsOrSkipped, servicesWithoutAQueryAndUnknownServicesAnswerError
    case hostileKeysAreBoundNotInterpolated, authVerifiesTheStoredHash, sixteenPipelinedRequestsAreAnsweredByID

    package func run<Fixture: SQLTableFixture>(on fixture: Fixture.Type) throws {
        typealias Checks = SQLServiceChecks<Fixture>
        switch self {
        case .registersExactlyTheConfiguredServices: try Checks.registersExactlyTheConfiguredServices()
        case .everyServiceFoundAndNotFound: try Checks.everyServiceFoundAndNotFound(andThen: Fixture.moreServiceChecks)
        case .fetchRotatesSortedAddressesLikeUpstream: try Checks.fetchRotatesSortedAddressesLikeUpstream()
        case .nullEmptyAndBadValuesAreErrorsOrSkipped: try Checks.nullEmptyAndBadValuesAreErrorsOrSkipped()
        case .servicesWithoutAQueryAndUnknownServicesAnswerError: try Checks.servicesWithoutAQueryAndUnknownServicesAnswerError()
        case .hostileKeysAreBoundNotInterpolated: try Checks.hostileKeysAreBoundNotInterpolated(keyWithNUL: Fixture.keyWithNULAnswer)
        case .authVerifiesTheStoredHash: try Checks.authVerifiesTheStoredHash()
        case .sixteenPipelinedRequestsAreAnsweredByID: try Checks.sixteenPipelinedRequestsAreAnsweredByID()
        }
    }
}

/// The service tests the SQL backends share: the same data (SQLTestData), the same answers.
/// Each is one `@Test` of the backend's suite (for a server, its serialized suite, so that it
/// never runs beside the fault tests that stop the server); what differs comes in as an
/// argument.
package enum SQLServiceChecks<Fixture: SQLTableFixture> {
    package static func registersExactlyTheConfiguredServices() throws {
        let key = Fixture.placeholder
        let fixture = try Fixture(Fixture.queries)
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr", "addrname", "mailaddrmap"])
        table.closeInput()
        #expect(table.wait() == 0)

        let narrowFixture = try Fixture("query_domain SELECT domain FROM domains WHERE domain = \(key)\nquery_auth SELECT password FROM credentials WHERE email = \(key)")
        defer { narrowFixture.cleanUp() }
        let narrow = try narrowFixture.start()
        #expect(try narrow.handshake() == ["domain", "auth"])
    }

    package static func everyServiceFoundAndNotFound(andThen more: (TableProcess) throws -> Void = { _ in }) throws {
        try Fixture(Fixture.queries).withTable { table throws in

            #expect(try table.request("lookup", "alias", key: "postmaster@example.org") == "found|alice@example.org, bob@example.org")
            #expect(try table.request("lookup", "alias", key: "@example.net") == "found|alice@example.org")
            #expect(try table.request("lookup", "alias", key: "nobody@example.org") == "not-found")
            #expect(try table.request("check", "alias", key: "alice@example.org") == "found")
            #expect(try table.request("check", "alias", key: "nobody@example.org") == "not-found")
            #expect(try table.request("check", "domain", key: "example.org") == "found")
            #expect(try table.request("check", "domain", key: "example.com") == "not-found")
            #expect(try table.request("lookup", "domain", key: "example.net") == "found|example.net")
            #expect(try table.request("lookup", "credentials", key: "alice@example.org") == "found|alice@example.org:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS")
            #expect(try table.request("lookup", "credentials", key: "bob@example.org") == "found|bob@example.org:$2b$08$Xb1UHCS7lvOaIcA/wS84Zuw/EnTHjcWtwjwZMIR0kiGn/nCBZgZtq")
            #expect(try table.request("lookup", "credentials", key: "carol@example.org") == "not-found")
            #expect(try table.request("check", "netaddr", key: "127.0.0.1") == "found")
            #expect(try table.request("check", "netaddr", key: "[::1]") == "found")
            #expect(try table.request("check", "netaddr", key: "10.0.0.1") == "not-found")
            #expect(try table.request("lookup", "userinfo", key: "vmail") == "found|5000:5000:/var/vmail")
            #expect(try table.request("lookup", "userinfo", key: "big") == "found|4294967295:4294967295:/big")
            #expect(try table.request("lookup", "userinfo", key: "root") == "not-found")
            #expect(try table.request("check", "source", key: "192.0.2.2") == "found")
            #expect(try table.request("check", "source", key: "192.0.2.9") == "not-found")
            #expect(try table.request("check", "mailaddr", key: "alice@example.org") == "found")
            #expect(try table.request("check", "mailaddr", key: "eve@example.org") == "not-found")
            #expect(try table.request("lookup", "addrname", key: "192.0.2.1") == "found|mx.example.org")
            #expect(try table.request("lookup", "addrname", key: "192.0.2.2") == "not-found")
            #expect(try table.request("lookup", "mailaddrmap", key: "alice@example.org") == "found|alice@example.org, @example.net")
            #expect(try table.request("lookup", "mailaddrmap", key: "bob@example.org") == "not-found")
            try more(table)
        }
    }

    package static func fetchRotatesSortedAddressesLikeUpstream() throws {
        try Fixture(Fixture.queries).withTable { table throws in
            let answers = try (0..<5).map { _ in try table.request("fetch", "source") }
            #expect(answers == ["found|192.0.2.1", "found|192.0.2.2", "found|192.0.2.1", "found|192.0.2.2", "found|192.0.2.1"])
            #expect(try table.request("fetch", "alias") == "error|fetch is only supported for source")
        }
    }

    package static func nullEmptyAndBadValuesAreErrorsOrSkipped() throws {
        try Fixture(Fixture.queries).withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "nullonly@example.org") == "not-found")
            #expect(try table.request("lookup", "alias", key: "crlf@example.org") == "error|value contains a line break")
            #expect(try table.request("lookup", "alias", key: "big@example.org") == "error|query_alias result too large (over 2047 bytes)")
            #expect(try table.request("lookup", "alias", key: "long@example.org") == "found|" + String(repeating: "l", count: 2000))
            #expect(try table.request("check", "domain", key: "") == "found")
            #expect(try table.request("lookup", "domain", key: "") == "error|query_domain returned an empty value in column 1")
            #expect(try table.request("lookup", "credentials", key: "nopass@example.org") == "error|query_credentials returned NULL in column 2")
            #expect(try table.request("lookup", "credentials", key: "empty@example.org") == "error|query_credentials returned an empty value in column 2")
            #expect(try table.request("lookup", "userinfo", key: "negative").hasPrefix("error|query_userinfo returned a uid or gid"))
            #expect(try table.request("lookup", "userinfo", key: "nohome") == "error|query_userinfo returned NULL in column 3")
            // After all that, the stream is still in step.
            #expect(try table.request("check", "domain", key: "example.org") == "found")
        }
    }

    package static func servicesWithoutAQueryAndUnknownServicesAnswerError() throws {
        let key = Fixture.placeholder
        try Fixture("query_domain SELECT domain FROM domains WHERE domain = \(key)").withTable { table throws in
            #expect(try table.request("lookup", "alias", key: "x") == "error|no query_alias configured")
            #expect(try table.request("check", "relayhost", key: "x") == "error|no query_relayhost configured")
            #expect(try table.request("check", "regex", key: "x") == "error|no query_regex configured")
            #expect(try table.request("check", "string", key: "x") == "error|no query_string configured")
            #expect(try table.request("fetch", "source") == "error|no fetch_source configured")
            #expect(try table.request("check", "frobnicate", key: "x") == "error|unsupported service \"frobnicate\"")
            #expect(try table.request("lookup", "auth", key: "a:b") == "error|auth is answered by check, not lookup")
            #expect(try table.request("check", "domain", key: "example.org") == "found")
        }
    }

    package static func hostileKeysAreBoundNotInterpolated(keyWithNUL answer: String) throws {
        try Fixture(Fixture.queries).withTable { table throws in
            for key in ["'; DROP TABLE virtuals; --", "' OR '1'='1", "\" OR 1=1 --", "\\", "%@example.org", "a_ice@example.org", "?", "??", "a?b", "?1", "$1", "$2"] {
                #expect(try table.request("lookup", "alias", key: key) == "not-found", "key \(key)")
            }
            #expect(try table.request("lookup", "alias", key: "%") == "found|percent")
            #expect(try table.request("lookup", "alias", key: "_") == "found|underscore")
            #expect(try table.request("lookup", "alias", key: "pipe|key") == "found|piped")
            #expect(try table.request("lookup", "alias", key: "o'brien@example.org") == "found|quote")
            #expect(try table.request("lookup", "alias", key: "back\\slash@example.org") == "found|backslash")
            #expect(try table.request("lookup", "alias", key: "éclair@example.org") == "found|utf8")
            #expect(try table.request("lookup", "alias", keyBytes: Array(repeating: UInt8(ascii: "k"), count: 1023)) == "found|longest key")
            #expect(try table.request("lookup", "alias", keyBytes: Array(repeating: UInt8(ascii: "a"), count: 1023)) == "not-found")
            // Invalid UTF-8 cannot equal any stored text: not-found, not an error.
            #expect(try table.request("lookup", "alias", keyBytes: [0xff, 0xfe, 0x80, 0x0d]) == "not-found")
            #expect(try table.request("check", "domain", keyBytes: Array("example.org".utf8) + [0xc3]) == "not-found")
            // A NUL in the key: never cut short to "alice@example.org" (bound with its length,
            // or refused where the client library takes C strings).
            #expect(try table.request("lookup", "alias", keyBytes: Array("alice@example.org".utf8) + [0, 0x78]) == answer)
            #expect(try table.request("lookup", "alias", key: "") == "not-found")
            // The table is intact.
            #expect(try table.request("lookup", "alias", key: "alice@example.org") == "found|vmail")
        }
    }

    package static func authVerifiesTheStoredHash() throws {
        let fixture = try Fixture("query_auth SELECT password FROM credentials WHERE email = \(Fixture.placeholder)")
        defer { fixture.cleanUp() }
        let table = try fixture.start()
        #expect(try table.handshake() == ["auth"])
        #expect(try table.request("check", "auth", key: "alice@example.org:alice-secret") == "found")
        #expect(try table.request("check", "auth", key: "bob@example.org:bob-secret") == "found")
        #expect(try table.request("check", "auth", key: "alice@example.org:bob-secret") == "not-found")
        #expect(try table.request("check", "auth", key: "alice@example.org:") == "not-found")
        #expect(try table.request("check", "auth", key: "nobody@example.org:alice-secret") == "not-found")
        #expect(try table.request("check", "auth", key: "nopass@example.org:x") == "not-found")
        #expect(try table.request("check", "auth", key: "no-colon") == "error|auth key is not user:password")
        // The user name ends at the first ':'.
        #expect(try table.request("check", "auth", key: "colon@example.org:alice-secret") == "found")
        table.closeInput()
        #expect(table.wait() == 0)
        // Neither the password nor the hash reached the log.
        let log = fixture.log()
        #expect(!log.contains("alice-secret"))
        #expect(!log.contains("bob-secret"))
        #expect(!log.contains("$2b$"))
    }

    /// Pipelined requests are answered by id, on worker threads that start with the first
    /// of them: a table asked one request at a time (as smtpd asks) runs a single thread.
    package static func sixteenPipelinedRequestsAreAnsweredByID() throws {
        try Fixture(Fixture.queries).withTable { table throws in
            let keys = ["postmaster@example.org", "alice@example.org", "@example.net", "nobody@example.org"]
            let answers = ["found|alice@example.org, bob@example.org", "found|vmail", "found|alice@example.org", "not-found"]
            for (key, answer) in zip(keys, answers) {
                #expect(try table.request("lookup", "alias", key: key) == answer)
            }
            #expect(table.threadCount() == 1)
            let requests = (0..<16).map { (operation: "lookup", service: "alias", key: keys[$0 % 4]) }
            #expect(try table.pipeline(requests) == (0..<16).map { answers[$0 % 4] })
            #expect(try #require(table.threadCount()) > 1)
        }
    }
}
#endif
