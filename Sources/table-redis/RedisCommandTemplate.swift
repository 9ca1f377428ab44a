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
    var arguments: [[Piece]]

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

    /// The command's arguments for one key, ready for `redisCommandArgv`.
    func argv(key: [UInt8]) -> [[UInt8]] {
        arguments.map { pieces in
            // Sized first: appending to an empty array reallocated it as it grew, about
            // 1,300 instructions a lookup.
            var length = 0
            for piece in pieces {
                switch piece {
                case .literal(let bytes): length += bytes.count
                case .key: length += key.count
                }
            }
            var argument: [UInt8] = []
            argument.reserveCapacity(length)
            for piece in pieces {
                switch piece {
                case .literal(let bytes): argument.append(contentsOf: bytes)
                case .key: argument.append(contentsOf: key)
                }
            }
            return argument
        }
    }

    /// The command name, for messages (never the key).
    var commandName: String {
        guard let first = arguments.first else { return "" }
        return first.map { piece -> String in
            if case .literal(let bytes) = piece { return String(decoding: bytes, as: UTF8.self) }
            return "%s"
        }.joined()
    }
}
