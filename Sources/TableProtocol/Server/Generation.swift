/// One loaded configuration, numbered: the server starts with generation 0 and `update`
/// installs the next. Immutable, so threads share it without a lock.
final class Generation: Sendable {
    let number: Int
    let backend: any TableBackend
    /// `backend.refusal` for every operation and service, worked out once: the server
    /// answers what the configuration cannot serve itself, before any backend sees it.
    private let refusals: [String?]

    init(number: Int, backend: any TableBackend) {
        self.number = number
        self.backend = backend
        var refusals = [String?](repeating: nil, count: Operation.allCases.count * Service.allCases.count)
        for operation in Operation.allCases where operation != .update {
            for service in Service.allCases {
                refusals[Self.index(operation, service)] = backend.refusal(operation, service)
            }
        }
        self.refusals = refusals
    }

    private static func index(_ operation: Operation, _ service: Service) -> Int {
        operation.ordinal * Service.allCases.count + service.ordinal
    }

    /// Why this configuration does not serve the request, or nil when it does.
    func refusal(_ request: Request) -> String? {
        refusals[Self.index(request.operation, request.service)]
    }
}
