import TableProtocol

/// A Redis reply, copied out of hiredis's `redisReply` so that it can be mapped (and tested)
/// without C memory.
enum RedisValue: Sendable, Equatable {
    case string([UInt8])
    case integer(Int64)
    case array([RedisValue])
    case null
    case status(String)
    case error(String)

    var isNull: Bool { self == .null }
}

/// How a Redis reply becomes smtpd's answer, for `check` and `lookup` of each service.
///
/// Upstream 1.0.1's mapping is kept where it is right: integer 1/0 and nil for check, a
/// string as the value, array elements joined with `", "` (alias) or `:` (credentials,
/// userinfo), an empty array as not-found, error replies as `error`. What upstream got
/// wrong is fixed:
/// - nil on lookup (a missing key with the default `GET` templates) and an array of nils
///   (`HMGET` of an unknown user) are not-found, not error (upstream answered a temporary
///   failure, so an unknown user got 454 instead of 535);
/// - an integer answers a lookup of domain and mailaddr (`SISMEMBER`): 1 is found with the
///   key as value, 0 is not-found;
/// - an empty array is not-found on check too (an empty `SMEMBERS`/`LRANGE` is no match);
/// - an empty value, or an array with some nils, is an error, never `found|` with nothing;
/// - mailaddrmap is answered (strings or arrays joined with `", "`).
enum RedisAnswer {
    /// The addresses a `fetch_source` command returned: every string of an array (`SMEMBERS`,
    /// `LRANGE`; nils skipped) or a single string; nil is none. Anything else fails the
    /// request: the rotation then keeps the addresses it had.
    static func addresses(_ value: RedisValue, command: String) throws(TableError) -> [[UInt8]] {
        switch value {
        case .array(let elements):
            return elements.compactMap { element in
                if case .string(let address) = element { return address }
                return nil
            }
        case .string(let address): return [address]
        case .null: return []
        case .integer(let number): throw TableError(.request, "\(command) returned the integer \(number), not addresses")
        case .status(let text): throw TableError(.request, "\(command) returned the status \"\(text)\", not addresses")
        case .error(let text): throw TableError(.request, "redis: \(text)")
        }
    }

    static func check(_ value: RedisValue, command: String) -> Answer {
        switch value {
        case .integer(1): return .hit
        case .integer(0): return .notFound
        case .integer(let other): return .error("\(command) returned the integer \(other); a check needs 1 or 0")
        case .string: return .hit
        case .array(let elements):
            if elements.isEmpty || elements.allSatisfy(\.isNull) { return .notFound }
            return .hit
        case .null: return .notFound
        case .status(let text): return .error("\(command) returned the status \"\(text)\", not data")
        case .error(let text): return .error("redis: \(text)")
        }
    }

    static func lookup(_ value: RedisValue, service: Service, key: @autoclosure () -> [UInt8], command: String) -> Answer {
        switch value {
        case .null:
            return .notFound
        case .error(let text):
            return .error("redis: \(text)")
        case .status(let text):
            return .error("\(command) returned the status \"\(text)\", not data")
        case .integer(let number):
            guard service == .domain || service == .mailaddr else {
                return .error("\(command) returned an integer; \(service) lookups need a string or an array")
            }
            switch number {
            case 1:
                let key = key()
                return key.isEmpty ? .error("found an empty key") : .found(key)
            case 0: return .notFound
            default: return .error("\(command) returned the integer \(number); \(service) lookups need 1 or 0")
            }
        case .string(let bytes):
            guard !bytes.isEmpty else { return .error("\(command) returned an empty string") }
            return formatted(bytes, service: service, command: command)
        case .array(let elements):
            if elements.isEmpty || elements.allSatisfy(\.isNull) { return .notFound }
            var strings: [[UInt8]] = []
            for element in elements {
                switch element {
                case .string(let bytes): strings.append(bytes)
                case .null: return .error("\(command) returned an array with missing (nil) elements")
                default: return .error("\(command) returned an array with a non-string element")
                }
            }
            let joined: [UInt8]
            switch service {
            case .alias, .mailaddrmap:
                // A list of recipients: empty elements add nothing.
                joined = Array(strings.filter { !$0.isEmpty }.joined(separator: Array(", ".utf8)))
            case .credentials, .userinfo:
                // Fields of one record: every element counts, even an empty one.
                joined = Array(strings.joined(separator: [UInt8(ascii: ":")]))
            default:
                return .error("\(command) returned an array; \(service) lookups need a string")
            }
            guard !joined.isEmpty else { return .error("\(command) returned only empty strings") }
            return formatted(joined, service: service, command: command)
        }
    }

    /// Checks (and for credentials normalises) a value against what smtpd parses for its
    /// service, so that a malformed value is one clear error here and not a failure in smtpd.
    static func formatted(_ value: [UInt8], service: Service, command: String) -> Answer {
        let colon = UInt8(ascii: ":")
        switch service {
        case .credentials:
            // smtpd splits at the first `:`; a value without one is the hash alone (smtpd
            // then takes the key as the user name).
            let split = value.firstIndex(of: colon)
            let user = split.map { Array(value[...$0]) } ?? []
            let hash = CryptHash.withoutScheme(Array(value[(split.map { $0 + 1 } ?? 0)...]))
            guard !hash.isEmpty else { return .error("\(command) returned credentials with an empty hash") }
            return .found(user + hash)
        case .userinfo:
            let fields = value.split(separator: colon, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, UserInfo.isID(fields[0]), UserInfo.isID(fields[1]), !fields[2].isEmpty else {
                return .error("\(command) returned userinfo that is not uid:gid:home")
            }
            return .found(value)
        default:
            return .found(value)
        }
    }
}
