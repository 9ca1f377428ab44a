import Testing
import TableTestSupport
@testable import table_ldap

/// Random and mutated configs made from examples/ldap/ldap.conf through the backend's own
/// `load` (ExampleConfigFuzz).
@Suite struct LDAPConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        let result = try ExampleConfigFuzz.run(LDAPTable.self, example: "examples/ldap/ldap.conf",
                                               keywords: LDAPConfig.keywords, seed: 14) { text, _ in
            // A ca_file that exists, so that loads get past it.
            text.replacing("/etc/ssl/certs/example-ca.pem", with: "/etc/ssl/certs/ca-certificates.crt")
        }
        #expect(result.failure == nil, Comment(rawValue: result.failure ?? ""))
    }
}
