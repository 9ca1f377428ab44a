/// One request from smtpd, already split into its fields.
///
/// The wire form is `table|0.1|<ts>|<table>|<op>|<service>|<id>[|<key>]` (update has no
/// service, fetch has no key). The key is everything after the id's `|`, so it may itself
/// contain `|`; it is kept as bytes because smtpd sends whatever the client typed, lowercased,
/// not necessarily UTF-8.
///
/// The id and table are kept in place (`InlineBytes`); `withKey` and `withTable` hand the
/// bytes to the code that binds or sends them without a copy.
package struct Request: Sendable, Equatable {
    package var operation: Operation
    package var service: Service
    var idBytes: InlineBytes
    @usableFromInline var tableBytes: InlineBytes

    /// smtpd's id for the request, echoed in the reply.
    package var id: String {
        get { idBytes.string }
        set { idBytes = InlineBytes(newValue) }
    }

    /// The table's name as smtpd sent it.
    package var table: String {
        get { tableBytes.string }
        set { tableBytes = InlineBytes(newValue) }
    }

    package var key: [UInt8]

    /// Calls `body` with the key's bytes, valid only during the call.
    @inlinable
    package func withKey<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        key.withUnsafeBufferPointer(body)
    }

    /// The same for a body that throws. (The failure comes
    /// out of the standard library's closure as a value: Swift 6.0 cannot pass a typed
    /// throw through it.)
    @inlinable
    package func withKey<R, Failure: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> R) throws(Failure) -> R {
        let result: Result<R, Failure> = key.withUnsafeBufferPointer { key in
            do throws(Failure) {
                return .success(try body(key))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Calls `body` with the table name's bytes, valid only during the call (no String made).
    @inlinable
    package func withTable<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        tableBytes.withBytes(body)
    }

    package init(id: String, operation: Operation, service: Service, key: [UInt8] = [], table: String = "") {
        self.init(id: InlineBytes(id), operation: operation, service: service, key: key, table: InlineBytes(table))
    }

    init(id: InlineBytes, operation: Operation, service: Service, key: [UInt8], table: InlineBytes) {
        self.idBytes = id
        self.operation = operation
        self.service = service
        self.key = key
        self.tableBytes = table
    }
}
