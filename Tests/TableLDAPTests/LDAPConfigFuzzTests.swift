import Testing
import TableTestSupport
@testable import table_ldap

/// Random and mutated configs made from examples/ldap/ldap.conf through the backend's own
/// `load` (ExampleConfigFuzz.expectEveryRefusalNamesALine).
@Suite struct LDAPConfigFuzzTests {
    @Test func mutatedExampleConfigsLoadOrNameALine() throws {
        try ExampleConfigFuzz.expectEveryRefusalNamesALine(LDAPTable.self, keywords: LDAPConfig.keywords, seed: 14) { text, _ in
            // A ca_file that exists, so that loads get past it.
            text.replacing("/etc/ssl/certs/example-ca.pem", with: "/etc/ssl/certs/ca-certificates.crt")
        }
    }
}
