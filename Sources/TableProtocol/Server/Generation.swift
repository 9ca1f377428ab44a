/// One loaded configuration, numbered: the server starts with generation 0 and `update`
/// installs the next. Immutable, so threads share it without a lock.
final class Generation: Sendable {
    let number: Int
    let backend: any TableBackend
    /// `backend.requestTimeout`, read once.
    let requestTimeout: Double?
    /// The answer cache, when the configuration asks for one: a new, empty one for every
    /// configuration loaded, so `update` starts afresh.
    let cache: AnswerCache?
    /// `backend.refusal` for every operation and service, worked out once: the server
    /// answers what the configuration cannot serve itself, before any backend sees it.
    private let refusals: [String?]
    /// The same as one bit per operation and service, set where the request is served: what
    /// a connection slot keeps and checks per request (a word, no reference counting).
    let served: UInt64

    init(number: Int, backend: any TableBackend) {
        self.number = number
        self.backend = backend
        self.requestTimeout = backend.requestTimeout
        self.cache = backend.cache.isEnabled ? AnswerCache(backend.cache) : nil
        var refusals = [String?](repeating: nil, count: Operation.allCases.count * Service.allCases.count)
        for operation in Operation.allCases where operation != .update {
            for service in Service.allCases {
                refusals[Self.index(operation, service)] = backend.refusal(operation, service)
            }
        }
        self.refusals = refusals
        var served: UInt64 = 0
        for (index, refusal) in refusals.enumerated() where refusal == nil {
            served |= 1 << UInt64(index)
        }
        // update is answered by the server, never refused.
        for service in Service.allCases { served &= ~(1 << UInt64(Self.index(.update, service))) }
        self.served = served
    }

    private static func index(_ operation: Operation, _ service: Service) -> Int {
        operation.ordinal * Service.allCases.count + service.ordinal
    }

    /// Whether a request of this kind is served, in a `served` mask.
    static func isServed(_ request: Request, in served: UInt64) -> Bool {
        served & (1 << UInt64(index(request.operation, request.service))) != 0
    }

    /// Why this configuration does not serve the request, or nil when it does.
    func refusal(_ request: Request) -> String? {
        refusals[Self.index(request.operation, request.service)]
    }
}
