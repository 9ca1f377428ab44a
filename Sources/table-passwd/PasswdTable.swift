import TableProtocol

/// table-passwd: a drop-in for OpenSMTPD's table-passwd 1.0.2. argv[1] is the passwd-format
/// file itself; it is read whole at start and on `update`.
enum PasswdTable: TableProgram {
    static let name = "passwd"
    static let argumentName = "PASSWD-FILE"

    static func load(_ argument: String, logger: Logger) throws(ConfigErrors) -> PasswdBackend {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(argument)
        } catch {
            throw ConfigErrors(path: argument, "cannot read passwd file: \(error.reason)")
        }
        return PasswdBackend(file: try PasswdFile.parse(bytes, path: argument, logger: logger))
    }
}

final class PasswdBackend: TableBackend {
    let file: PasswdFile

    init(file: PasswdFile) { self.file = file }

    let services: [Service] = [.credentials, .userinfo]
    let concurrency = 1

    func connect() throws(TableError) -> PasswdConnection {
        PasswdConnection(file: file)
    }
}

/// Answers from the in-memory file; nothing to open, so it is only a view of the file.
final class PasswdConnection: TableConnection {
    let file: PasswdFile

    init(file: PasswdFile) { self.file = file }

    func answer(_ request: Request) -> Answer {
        guard request.service == .credentials || request.service == .userinfo else {
            return .error("table-passwd serves only credentials and userinfo, not \(request.service)")
        }
        switch request.operation {
        case .check:
            return file.entry(for: request.key) == nil ? .notFound : .hit
        case .lookup:
            guard let entry = file.entry(for: request.key) else { return .notFound }
            return request.service == .credentials ? entry.credentials() : entry.userInfo()
        case .fetch, .update:
            return .error("table-passwd does not support \(request.operation)")
        }
    }
}
