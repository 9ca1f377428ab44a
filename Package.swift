// swift-tools-version:6.0
// opensmtpd-tables: the OpenSMTPD table backends, one executable each.
// Shipped code depends on nothing but the standard library, Glibc, Synchronization and the
// system C client libraries (docs/design.md says why); tests may use Foundation.
import PackageDescription

/// Swift settings of the shipped code. Without the implicit `import _StringProcessing`, a
/// string search such as `text.contains("://")` does not compile instead of silently linking
/// that module and the regex parser into the binary (1.1 MB of code, ~0.3 MiB of it resident
/// at run time); use `includes(_:)` and `range(ofText:)` from TableProtocol's TextSearch.swift.
let shipped: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-implicit-string-processing-module-import"])]

let package = Package(
    name: "opensmtpd-tables",
    products: [
        .executable(name: "table-sqlite", targets: ["table-sqlite"]),
        .executable(name: "table-passwd", targets: ["table-passwd"]),
        .executable(name: "table-postgres", targets: ["table-postgres"]),
        .executable(name: "table-mysql", targets: ["table-mysql"]),
        .executable(name: "table-ldap", targets: ["table-ldap"]),
        .executable(name: "table-redis", targets: ["table-redis"]),
        .executable(name: "table-socketmap", targets: ["table-socketmap"]),
        .executable(name: "table-bench", targets: ["table-bench"]),
    ],
    targets: [
        // C libraries, one system-library target each.
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "COpenLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        // glibc's malloc.h (mallopt), which the Glibc module leaves out.
        .systemLibrary(name: "CMalloc"),

        // What every backend shares: protocol, server loop, config grammar, logging, CLI.
        .target(name: "TableProtocol", dependencies: ["CCrypt", "CMalloc"], swiftSettings: shipped),

        // The backends.
        .executableTarget(name: "table-sqlite", dependencies: ["TableProtocol", "CSQLite3"], swiftSettings: shipped),
        .executableTarget(name: "table-passwd", dependencies: ["TableProtocol"], swiftSettings: shipped),
        .executableTarget(name: "table-postgres", dependencies: ["TableProtocol", "CLibPQ"], swiftSettings: shipped),
        .executableTarget(name: "table-mysql", dependencies: ["TableProtocol", "CMariaDB"], swiftSettings: shipped),
        .executableTarget(name: "table-ldap", dependencies: ["TableProtocol", "COpenLDAP"], swiftSettings: shipped),
        // hiredis is linked dynamically, like the other client libraries: the packages are
        // built for one Debian release (13: libhiredis1.1.0) and get its security updates.
        // Named here rather than through hiredis.pc, whose -D_FILE_OFFSET_BITS=64 SwiftPM
        // refuses with a warning on every build (and the headers do not need).
        .executableTarget(name: "table-redis", dependencies: ["TableProtocol", "CHiredis"], swiftSettings: shipped,
                          linkerSettings: [.linkedLibrary("hiredis")]),
        .executableTarget(name: "table-socketmap", dependencies: ["TableProtocol"], swiftSettings: shipped),

        // Plays smtpd's side of the protocol: used by the benchmark and the integration tests.
        .target(name: "TableDriver"),
        .executableTarget(name: "table-bench", dependencies: ["TableDriver"]),
        // What the backends' test suites share that needs more than TableDriver: the fixtures,
        // the config fuzz of each example (TableProtocol) and the shared service, config,
        // fault and secrets checks (Testing, so only in test builds); linked by test targets only.
        .target(name: "TableTestSupport", dependencies: ["TableDriver", "TableProtocol"]),

        .testTarget(name: "TableProtocolTests", dependencies: ["TableProtocol", "TableDriver"]),
        .testTarget(name: "TableSQLiteTests", dependencies: ["table-sqlite", "TableDriver", "CSQLite3", "TableTestSupport"]),
        .testTarget(name: "TablePasswdTests", dependencies: ["table-passwd", "TableDriver", "TableProtocol", "TableTestSupport"]),
        .testTarget(name: "TablePostgresTests", dependencies: ["table-postgres", "TableDriver", "TableTestSupport"]),
        .testTarget(name: "TableMySQLTests", dependencies: ["table-mysql", "TableDriver", "TableTestSupport"]),
        .testTarget(name: "TableLDAPTests", dependencies: ["table-ldap", "TableDriver", "TableTestSupport"]),
        .testTarget(name: "TableRedisTests", dependencies: ["table-redis", "TableDriver", "TableTestSupport"]),
        .testTarget(name: "TableSocketmapTests", dependencies: ["table-socketmap", "TableDriver", "TableTestSupport"]),
        // The man pages against the code (keywords, services, defaults); mandoc -Tlint.
        .testTarget(name: "PackagingTests", dependencies: ["table-sqlite", "table-passwd", "table-postgres", "table-mysql",
                                                           "table-ldap", "table-redis", "table-socketmap", "TableDriver"]),
    ]
)
