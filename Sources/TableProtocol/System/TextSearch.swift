/// Finding one piece of text in another, byte for byte in UTF-8.
///
/// Ours rather than the standard library's `contains(_:)` and `firstRange(of:)` on strings:
/// those live in `_StringProcessing`, and one call to them links that module and the regex
/// parser it needs into the binary (1.1 MB of code, of which ~0.3 MiB became resident in
/// every backend that used them, through the pages the kernel maps around each one touched).
/// Config values and error messages are short, so a plain scan is all this needs.
extension StringProtocol {
    /// Whether `fragment` occurs in this text (an empty fragment always does).
    package func includes(_ fragment: some StringProtocol) -> Bool {
        utf8Offset(of: fragment) != nil
    }

    /// The range of the first occurrence of `fragment`, or nil.
    package func range(ofText fragment: some StringProtocol) -> Range<Index>? {
        guard let offset = utf8Offset(of: fragment) else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        return start..<utf8.index(start, offsetBy: fragment.utf8.count)
    }

    /// The UTF-8 offset of the first occurrence of `fragment`, or nil.
    private func utf8Offset(of fragment: some StringProtocol) -> Int? {
        let haystack = Array(utf8)
        let needle = Array(fragment.utf8)
        guard needle.count <= haystack.count else { return nil }
        guard let first = needle.first else { return 0 }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == first && haystack[start..<start + needle.count].elementsEqual(needle) {
                return start
            }
            start += 1
        }
        return nil
    }
}
