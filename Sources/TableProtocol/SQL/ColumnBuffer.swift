/// Where a SQL connection copies a column's bytes out of its client library, kept from one
/// request to the next so that a lookup allocates nothing for its value.
///
/// The client library's bytes live only until the next step of the statement, so the row
/// hands over a copy. `copy(_:column:)` returns an array that shares the storage kept for
/// that column; the answer carries it to the reply and is dropped once the reply is written,
/// which leaves the storage unique again for the next request. Each of the first columns has
/// storage of its own, so that a row's columns (credentials `user` and `hash`) are all held
/// at once without an allocation. When a column's storage is still shared (an answer kept in
/// the cache, a second row of a joined alias), the next copy gets storage of its own:
/// sharing costs an allocation, never a wrong value.
///
/// A class that holds the array through a pointer it allocated, rather than a `var`: a
/// connection keeps it in a `let`, and neither access then needs the run-time exclusivity
/// check that every use of a class's `var` costs (a call into the runtime and back, for
/// every column). Like the connection that owns it, it is used by one thread at a time.
package final class ColumnBuffer {
    /// A value longer than this gets storage of its own, so that one large answer does not
    /// keep its memory for the life of the connection.
    package static let largestKept = 4096
    /// The columns with storage kept: as many as a lookup's answer uses (userinfo's three).
    package static let columnsKept = 3

    private let storage: UnsafeMutablePointer<[UInt8]>

    package init() {
        storage = .allocate(capacity: Self.columnsKept)
        storage.initialize(repeating: [], count: Self.columnsKept)
    }

    deinit {
        storage.deinitialize(count: Self.columnsKept)
        storage.deallocate()
    }

    /// Column `column`'s bytes as an array, copied into the storage kept for that column when
    /// they fit.
    package func copy(_ bytes: UnsafeBufferPointer<UInt8>, column: Int) -> [UInt8] {
        guard bytes.count <= Self.largestKept, column >= 0, column < Self.columnsKept else { return Array(bytes) }
        let kept = storage + column
        // The same call the request parser copies the key with: one routine for both.
        kept.pointee.replaceSubrange(kept.pointee.indices, with: bytes)
        return kept.pointee
    }
}
