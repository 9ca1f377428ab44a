import CCrypt
#if canImport(Glibc)
import Glibc
#endif

/// Password hashes as stored by mail systems, and their verification with crypt(3).
package enum CryptHash {
    /// RFC 2307 / Dovecot scheme prefixes whose hash is a plain crypt(3) string underneath.
    /// smtpd's `crypt_checkpass` cannot verify a prefixed hash, so `credentials` answers
    /// send it without the prefix. Matched case-insensitively, as Dovecot does.
    package static let cryptSchemes = ["{CRYPT}", "{BLF-CRYPT}", "{SHA512-CRYPT}", "{SHA256-CRYPT}", "{MD5-CRYPT}"]

    /// The hash without a crypt-compatible scheme prefix; other values unchanged.
    package static func withoutScheme(_ hash: [UInt8]) -> [UInt8] {
        let prefix = schemeLength(hash)
        return prefix == 0 ? hash : Array(hash[prefix...])
    }

    /// How many bytes of `hash` are a crypt-compatible scheme prefix (0 for none): for a
    /// caller that copies the rest anyway, which then needs no array of its own for it.
    package static func schemeLength(_ hash: [UInt8]) -> Int {
        guard hash.first == UInt8(ascii: "{") else { return 0 }
        for scheme in cryptSchemes {
            let prefix = Array(scheme.utf8)
            if hash.count > prefix.count,
               zip(hash, prefix).allSatisfy({ asciiUpper($0) == $1 }) {
                return prefix.count
            }
        }
        return 0
    }

    /// The `{SCHEME}` a value starts with, if it is not one crypt(3) can verify (e.g. `{PLAIN}`,
    /// `{SSHA}`): for warnings, never with the hash itself.
    package static func unverifiableScheme(_ hash: [UInt8]) -> String? {
        guard hash.first == UInt8(ascii: "{"), let close = hash.firstIndex(of: UInt8(ascii: "}")) else { return nil }
        let scheme = String(decoding: hash[...close], as: UTF8.self)
        return cryptSchemes.contains(scheme.uppercased()) ? nil : scheme
    }

    /// Checks a password against a stored hash with crypt_r(3) (thread-safe) and a
    /// constant-time comparison. An empty password or hash never matches.
    package static func verify(password: [UInt8], hash stored: [UInt8]) -> Bool {
        let hash = withoutScheme(stored)
        guard !password.isEmpty, !hash.isEmpty, !password.contains(0), !hash.contains(0) else { return false }
        let computed: [UInt8]? = (password + [0]).withUnsafeBufferPointer { phrase in
            (hash + [0]).withUnsafeBufferPointer { setting in
                phrase.withMemoryRebound(to: CChar.self) { phrase in
                    setting.withMemoryRebound(to: CChar.self) { setting in
                        guard let result = CCrypt_hash(phrase.baseAddress, setting.baseAddress) else { return nil }
                        defer { free(result) }
                        let length = strlen(result)
                        let bytes = UnsafeRawBufferPointer(start: result, count: length)
                        let copy = Array(bytes)
                        explicit_bzero(result, length)
                        return copy
                    }
                }
            }
        }
        guard let computed else { return false }
        return constantTimeEqual(computed, hash)
    }

    /// Compares without stopping at the first difference, so timing says nothing about
    /// how much of a hash matched.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    static func asciiUpper(_ byte: UInt8) -> UInt8 {
        byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
    }
}
