/// A `query_*` value: a Redis command written the way upstream's hiredis `redisCommand`
/// format string reads it, turned into argument pieces once at load time.
///
/// Rules (kept from upstream so existing configs mean the same thing):
/// - arguments are separated by runs of spaces only; a TAB is an ordinary character;
/// - `%s` is replaced by the key inside the argument it appears in; the key is never split,
///   so spaces, `%` or quotes in a key cannot add arguments or commands. Unlike upstream
///   (where a second `%s` read a missing C argument), every `%s` gets the key;
/// - `%%` is a literal `%`, and so is a `%` at the very end;
/// - any other `%x` is refused at load time (upstream failed at every request instead).
struct RedisCommandTemplate: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case key
    }

    /// One entry per argument; each argument is the concatenation of its pieces.
    let arguments: [[Piece]]
    /// The command name, for messages (never the key); made once, not per request.
    let commandName: String

    init(arguments: [[Piece]]) {
        self.arguments = arguments
        commandName = arguments.first.map { pieces in
            pieces.map { piece -> String in
                if case .literal(let bytes) = piece { return String(decoding: bytes, as: UTF8.self) }
                return "%s"
            }.joined()
        } ?? ""
    }

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unsupportedConversion(String)

        var description: String {
            switch self {
            case .empty: "the command is empty"
            case .unsupportedConversion(let text): "unsupported conversion \"\(text)\" (only %s, the key, and %% are allowed)"
            }
        }
    }

    static func parse(_ text: String) throws(ParseError) -> RedisCommandTemplate {
        let bytes = Array(text.utf8)
        var arguments: [[Piece]] = []
        var current: [Piece] = []
        var inArgument = false
        var literal: [UInt8] = []

        func flushLiteral() {
            if !literal.isEmpty { current.append(.literal(literal)); literal = [] }
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                if inArgument {
                    flushLiteral()
                    arguments.append(current)
                    current = []
                    inArgument = false
                }
                index += 1
                continue
            }
            inArgument = true
            if byte == UInt8(ascii: "%"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "s"):
                    flushLiteral()
                    current.append(.key)
                case UInt8(ascii: "%"):
                    literal.append(UInt8(ascii: "%"))
                default:
                    // Show the conversion as written, including a multi-byte character.
                    var end = index + 2
                    while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
                    throw .unsupportedConversion(String(decoding: bytes[index..<end], as: UTF8.self))
                }
                index += 2
                continue
            }
            literal.append(byte)
            index += 1
        }
        if inArgument {
            flushLiteral()
            arguments.append(current)
        }
        guard !arguments.isEmpty else { throw .empty }
        return RedisCommandTemplate(arguments: arguments)
    }

    /// Whether `%s` appears anywhere.
    var usesKey: Bool { arguments.contains { $0.contains(.key) } }

    /// The command's arguments for one key.
    func argv(key: [UInt8]) -> [[UInt8]] {
        key.withUnsafeBufferPointer { command(key: $0).arguments }
    }

    /// The command for one key, ready for `redisCommandArgv`: every argument in one array,
    /// sized first (an array per argument, grown as it is appended to, costs about 2,000
    /// instructions a lookup).
    func command(key: UnsafeBufferPointer<UInt8>) -> RedisCommand {
        var length = 0
        for pieces in arguments {
            for piece in pieces {
                switch piece {
                case .literal(let bytes): length += bytes.count
                case .key: length += key.count
                }
            }
        }
        var command = RedisCommand(capacity: length, arguments: arguments.count)
        for pieces in arguments {
            let start = command.bytes.count
            for piece in pieces {
                switch piece {
                case .literal(let bytes): command.bytes.append(contentsOf: bytes)
                case .key: command.bytes.append(contentsOf: key)
                }
            }
            command.lengths.append(command.bytes.count - start)
        }
        command.bytes.append(0)
        return command
    }
}

/// A command's arguments laid end to end in one array, with each one's length: the form
/// `redisCommandArgv` takes them in. The bytes end with a NUL that belongs to no argument,
/// so that the buffer always has an address, even when every argument is empty.
struct RedisCommand: Sendable, Equatable {
    var bytes: [UInt8] = []
    var lengths: [Int] = []

    /// Room for `capacity` bytes of arguments and the final NUL.
    init(capacity: Int, arguments: Int) {
        bytes.reserveCapacity(capacity + 1)
        lengths.reserveCapacity(arguments)
    }

    init(_ arguments: [[UInt8]]) {
        self.init(capacity: arguments.reduce(0) { $0 + $1.count }, arguments: arguments.count)
        for argument in arguments {
            bytes.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        bytes.append(0)
    }

    /// The arguments as separate arrays.
    var arguments: [[UInt8]] {
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return Array(bytes[start..<start + length])
        }
    }
}
