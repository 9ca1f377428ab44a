import TableProtocol

/// table-passwd: a drop-in for OpenSMTPD's table-passwd 1.0.2. argv[1] is the passwd-format
/// file itself; it is read whole at start and on `update`.
final class PasswdTable: TableBackend {
    static let name = "passwd"
    static let argumentName = "PASSWD-FILE"

    let file: PasswdFile

    init(file: PasswdFile) { self.file = file }

    init(loading argument: String, logger: Logger) throws(ConfigErrors) {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(argument)
        } catch {
            throw ConfigErrors(path: argument, "cannot read passwd file: \(error.reason)")
        }
        file = try PasswdFile.parse(bytes, path: argument, logger: logger)
    }

    let services: [Service] = [.credentials, .userinfo]
    let concurrency = 1
    var requestTimeout: Double? { nil }

    func refusal(_ operation: Operation, _ service: Service) -> String? {
        guard services.contains(service) else {
            return "table-passwd serves only credentials and userinfo, not \(service)"
        }
        return operation == .fetch ? "table-passwd does not support fetch" : nil
    }

    func connect(until deadline: Deadline) throws(TableError) -> PasswdConnection {
        PasswdConnection(file: file)
    }
}

/// Answers from the in-memory file; nothing to open, so it is only a view of the file.
final class PasswdConnection: TableConnection {
    let file: PasswdFile

    init(file: PasswdFile) { self.file = file }

    func answer(_ request: Request, until deadline: Deadline) -> Answer {
        guard let entry = file.entry(for: request.key) else { return .notFound }
        if request.operation == .check { return .hit }
        return request.service == .credentials ? entry.credentials() : entry.userInfo()
    }
}
