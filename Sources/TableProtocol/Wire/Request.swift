/// One request from smtpd, already split into its fields.
///
/// The wire form is `table|0.1|<ts>|<table>|<op>|<service>|<id>[|<key>]` (update has no
/// service, fetch has no key). The key is everything after the id's `|`, so it may itself
/// contain `|`; it is kept as bytes because smtpd sends whatever the client typed, lowercased,
/// not necessarily UTF-8.
package struct Request: Sendable, Equatable {
    /// smtpd's id for the request, echoed in the reply.
    package var id: String {
        get { idBytes.string }
        set { idBytes = InlineBytes(newValue) }
    }
    package var operation: Operation
    package var service: Service
    package var key: [UInt8]
    /// The table's name as smtpd sent it.
    package var table: String {
        get { tableBytes.string }
        set { tableBytes = InlineBytes(newValue) }
    }
    /// The id and table as they came: kept as bytes so that reading a request makes no
    /// String (smtpd's ids are 16 hex digits, one byte more than a String holds without a
    /// heap allocation), and the reply copies the id's bytes as they are.
    var idBytes: InlineBytes
    var tableBytes: InlineBytes

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
