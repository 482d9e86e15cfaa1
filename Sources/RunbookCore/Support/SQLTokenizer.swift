/// The one SQL lexer of the project: the loader finds `:name` placeholders with it, the SQL
/// driver classifies statements with it, lint finds destructive keywords with it. It knows
/// PostgreSQL's quoting: `'...'` with `''` inside, `E'...'` with backslash escapes, `"..."`
/// identifiers with `""`, `$tag$...$tag$` bodies, `--` and nested `/* */` comments, and
/// `::type` casts, so a word or a `:name` inside any of them is never seen.
public enum SQLTokenizer {
    /// What the tokenizer reports.
    public enum Token: Equatable, Sendable {
        /// A bare word (keyword or identifier), with its position in scalars.
        case word(String, Range<Int>)
        /// `:name`, a named placeholder (the range covers the colon).
        case placeholder(String, Range<Int>)
        /// `$n`, a numbered placeholder.
        case numbered(Int, Range<Int>)
    }

    /// Every word and placeholder of `sql`, in order; literals, quoted identifiers, dollar-quoted
    /// bodies and comments are skipped.
    public static func tokens(_ sql: String) -> [Token] {
        let s = Array(sql.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func isWordStart(_ c: Unicode.Scalar) -> Bool {
            // ASCII's alphabetic characters are its letters; the property lookup is for the rest.
            c.isASCII ? (c == "_" || (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A) : c.properties.isAlphabetic
        }
        func isWordPart(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || ("0"..."9").contains(c) || c == "$" }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        func at(_ j: Int) -> Unicode.Scalar? { j < s.count ? s[j] : nil }
        /// The index after a quoted run that began at `start` (the opening quote).
        func quoted(_ start: Int, _ quote: Unicode.Scalar, backslash: Bool) -> Int {
            var j = start + 1
            while j < s.count {
                if backslash, s[j] == "\\" { j += 2; continue }
                if s[j] == quote {
                    if at(j + 1) == quote { j += 2; continue }
                    return j + 1
                }
                j += 1
            }
            return s.count
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case "-" where at(i + 1) == "-":
                while i < s.count, s[i] != "\n" { i += 1 }
            case "/" where at(i + 1) == "*":
                var depth = 1
                i += 2
                while i < s.count, depth > 0 {
                    if s[i] == "/", at(i + 1) == "*" { depth += 1; i += 2 } else if s[i] == "*", at(i + 1) == "/" { depth -= 1; i += 2 } else { i += 1 }
                }
            case "'":
                i = quoted(i, "'", backslash: false)
            case "\"":
                i = quoted(i, "\"", backslash: false)
            case "$":
                // $n placeholder, or $tag$ ... $tag$ (tag: letters, digits after the first, _).
                var j = i + 1
                if let d = at(j), isDigit(d) {
                    while let d = at(j), isDigit(d) { j += 1 }
                    out.append(.numbered(Int(string(s[(i + 1)..<j])) ?? 0, i..<j))
                    i = j
                    break
                }
                while let t = at(j), isWordStart(t) || isDigit(t) { j += 1 }
                if at(j) == "$" {
                    let tag = Array(s[i...j])
                    var k = j + 1
                    var end = s.count
                    while k + tag.count <= s.count {
                        if Array(s[k..<(k + tag.count)]) == tag { end = k + tag.count; break }
                        k += 1
                    }
                    i = end
                } else {
                    i += 1
                }
            case ":":
                if at(i + 1) == ":" {
                    i += 2  // a cast: ::type
                    break
                }
                var j = i + 1
                if let first = at(j), isWordStart(first), !(i > 0 && (isWordPart(s[i - 1]))) {
                    while let t = at(j), isWordStart(t) || isDigit(t) { j += 1 }
                    out.append(.placeholder(string(s[(i + 1)..<j]), i..<j))
                    i = j
                } else {
                    i += 1
                }
            default:
                if isWordStart(c) {
                    // E'...' / e'...': an escape string; U&'...' and B'...'/X'...' need no special rule.
                    if (c == "E" || c == "e"), at(i + 1) == "'" {
                        i = quoted(i + 1, "'", backslash: true)
                        break
                    }
                    var j = i + 1
                    while let t = at(j), isWordPart(t) { j += 1 }
                    out.append(.word(string(s[i..<j]), i..<j))
                    i = j
                } else if isDigit(c) {
                    while let t = at(i), isDigit(t) || t == "." || t == "e" || t == "E" || t == "_" { i += 1 }
                } else {
                    i += 1
                }
            }
        }
        return out
    }

    /// The scalars as a string, written as UTF-8 directly (appending to a `UnicodeScalarView`
    /// one scalar at a time is several times slower, and words are most of a query).
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        if scalars.isEmpty { return "" }
        return String(unsafeUninitializedCapacity: 4 * scalars.count) { buffer in
            var count = 0
            for scalar in scalars {
                UTF8.encode(scalar) { unit in
                    buffer[count] = unit
                    count += 1
                }
            }
            return count
        }
    }

    /// The lower-cased bare words of `sql`.
    public static func words(_ sql: String) -> [String] {
        tokens(sql).compactMap { if case .word(let w, _) = $0 { w.lowercased() } else { nil } }
    }

    /// The `:name` placeholders of `sql`, each once, in order of first use.
    public static func placeholderNames(_ sql: String) -> [String] {
        var out: [String] = []
        for case .placeholder(let name, _) in tokens(sql) where !out.contains(name) { out.append(name) }
        return out
    }

    /// `sql` with every `:name` replaced by `$n` (numbered in order of first use), and the
    /// names in bind order.
    public static func numbered(_ sql: String) -> (sql: String, names: [String]) {
        let s = Array(sql.unicodeScalars)
        var names: [String] = []
        var result = String.UnicodeScalarView()
        var last = 0
        for case .placeholder(let name, let range) in tokens(sql) {
            result.append(contentsOf: s[last..<range.lowerBound])
            if let i = names.firstIndex(of: name) {
                result.append(contentsOf: "$\(i + 1)".unicodeScalars)
            } else {
                names.append(name)
                result.append(contentsOf: "$\(names.count)".unicodeScalars)
            }
            last = range.upperBound
        }
        result.append(contentsOf: s[last...])
        return (String(result), names)
    }
}
