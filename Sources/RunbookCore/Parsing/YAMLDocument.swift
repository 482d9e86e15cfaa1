import Foundation
import Yams

/// A YAML file composed into Yams nodes, with helpers that turn node positions into
/// `SourceLocation`s and collect diagnostics instead of stopping at the first one.
final class YAMLDocument {
    let path: String
    let text: String
    private(set) var diagnostics: [Diagnostic] = []
    let root: Node?

    init(path: String, text: String) {
        self.path = path
        self.text = text
        var parsed: Node?
        var failure: Diagnostic?
        do {
            // The basic resolver: no regular expression per scalar (and per mapping key, for the
            // duplicate check); `scalarValue` types plain scalars as the default resolver would.
            // UTF-8 named, so Yams does not read the process environment for each file.
            parsed = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            failure = YAMLDocument.diagnostic(for: error, path: path, text: text)
        } catch {
            failure = Diagnostic(SourceLocation(path: path, line: 1, column: 1), "cannot read YAML: \(error)")
        }
        root = parsed
        if let failure { diagnostics.append(failure) }
    }

    func error(_ node: Node?, _ message: String) {
        diagnostics.append(Diagnostic(location(of: node), message))
    }

    func error(at location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    func location(of node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(path: path, line: 1, column: 1) }
        return SourceLocation(path: path, line: mark.line, column: mark.column)
    }

    /// The location of a character offset inside a scalar: exact for plain and quoted
    /// one-line scalars, and line-accurate for block scalars (`|`, `>`).
    func location(of node: Node, offset: Int) -> SourceLocation {
        let base = location(of: node)
        guard let scalar = node.scalar else { return base }
        if offset == 0 {
            switch scalar.style {
            case .literal, .folded: return SourceLocation(path: path, line: base.line + 1, column: blockIndent(after: base.line) + 1)
            case .singleQuoted, .doubleQuoted: return base.offset(by: 1)
            default: return base
            }
        }
        let content = Array(scalar.string.prefix(offset))
        let prefix = content.prefix(max(0, min(offset, content.count)))
        let newlines = prefix.filter { $0 == "\n" }.count
        let afterLastNewline = prefix.lastIndex(of: "\n").map { prefix.count - $0 - 1 } ?? prefix.count
        switch scalar.style {
        case .literal, .folded:
            let indent = blockIndent(after: base.line)
            return SourceLocation(path: path, line: base.line + 1 + newlines, column: indent + 1 + afterLastNewline)
        case .singleQuoted, .doubleQuoted:
            return newlines == 0 ? base.offset(by: 1 + offset) : SourceLocation(path: path, line: base.line + newlines, column: afterLastNewline + 1)
        default:
            return newlines == 0 ? base.offset(by: offset) : SourceLocation(path: path, line: base.line + newlines, column: afterLastNewline + 1)
        }
    }

    /// The UTF-8 offset where each line starts, found once (block scalars' locations need
    /// the indentation of their first line).
    private lazy var lineStarts: [Int] = {
        var starts = [0]
        var text = text
        text.withUTF8 { bytes in
            for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") { starts.append(i + 1) }
        }
        return starts
    }()

    /// The indentation of line `line + 1` (the 0-based line `line`).
    private func blockIndent(after line: Int) -> Int {
        guard line < lineStarts.count else { return 0 }
        return text.utf8.dropFirst(lineStarts[line]).prefix { $0 == UInt8(ascii: " ") }.count
    }

    static func diagnostic(for error: YamlError, path: String, text: String) -> Diagnostic {
        func loc(_ mark: Mark) -> SourceLocation { SourceLocation(path: path, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let ctx = context.map { " (\($0.text))" } ?? ""
            return Diagnostic(loc(mark), "YAML syntax error: \(problem)\(ctx)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let location = secondOccurrence(of: key, after: context.mark, in: text)
                .map { SourceLocation(path: path, line: $0.line, column: $0.column) } ?? loc(context.mark)
            let first = "first defined at line \(context.mark.line)"
            return Diagnostic(location, "duplicate key '\(key)' (\(first))")
        case .reader(let problem, let offset, _, _):
            return Diagnostic(SourceLocation(path: path, line: 1, column: 1), "cannot read file: \(problem) at byte \(offset ?? 0)")
        default:
            return Diagnostic(SourceLocation(path: path, line: 1, column: 1), "YAML error: \(error)")
        }
    }

    /// Yams reports the first of two duplicate keys; the mistake is usually the second.
    private static func secondOccurrence(of key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line - 1 < lines.count else { return nil }
        let column = mark.column
        for (i, line) in lines.enumerated() where i > mark.line - 1 {
            let chars = Array(line)
            let indent = chars.prefix { $0 == " " || $0 == "-" }.count
            if indent + 1 < column, !line.trimmingCharacters(in: .whitespaces).isEmpty, !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                return nil
            }
            guard chars.count >= column - 1 + key.count else { continue }
            let start = column - 1
            let candidate = String(chars[start..<min(chars.count, start + key.count)])
            let rest = chars.dropFirst(start + key.count).drop { $0 == " " }
            if candidate == key, rest.first == ":" || (String(chars[..<start]).trimmingCharacters(in: .whitespaces) == "-" && rest.first == ":") {
                return (i + 1, column)
            }
        }
        return nil
    }

    // MARK: - Typed access

    /// The pairs of a mapping, reporting unknown keys with a "did you mean".
    func mapping(_ node: Node, allowed: [String], what: String) -> [YAMLPair]? {
        guard let mapping = node.mapping else {
            error(node, "\(what) must be a mapping, found \(describe(node))")
            return nil
        }
        var out: [YAMLPair] = []
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                error(k, "\(what) has a key that is not a string")
                continue
            }
            if !allowed.contains(key) {
                error(k, "unknown key '\(key)' in \(what)\(Suggest.didYouMean(key, in: allowed))")
                continue
            }
            out.append(YAMLPair(key: key, keyNode: k, value: v))
        }
        return out
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s):
            switch scalarValue(node) {
            case .null: "null"
            case .bool: "a boolean"
            case .int, .double: "a number"
            default: s.style == .plain && s.string.isEmpty ? "nothing" : "a string"
            }
        case .alias: "an alias"
        }
    }

    func string(_ node: Node, key: String) -> String? {
        guard let scalar = node.scalar else {
            error(node, "'\(key)' must be a string, found \(describe(node))")
            return nil
        }
        if case .null = scalarValue(node) {
            error(node, "'\(key)' must be a string, found nothing")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node, key: String) -> Bool? {
        guard case .bool(let b) = scalarValue(node) else {
            error(node, "'\(key)' must be true or false, found \(describe(node))")
            return nil
        }
        return b
    }

    func int(_ node: Node, key: String) -> Int? {
        guard case .int(let i) = scalarValue(node) else {
            error(node, "'\(key)' must be an integer, found \(describe(node))")
            return nil
        }
        return i
    }

    func duration(_ node: Node, key: String) -> Duration? {
        if case .int(let seconds) = scalarValue(node) { return .seconds(seconds) }
        guard let text = node.scalar?.string, let d = DurationText.parse(text) else {
            error(node, "'\(key)' must be a duration such as 500ms, 30s or 5m, found \(describe(node))")
            return nil
        }
        return d
    }

    func stringList(_ node: Node, key: String) -> [String]? {
        if node.scalar != nil, let s = string(node, key: key) { return [s] }
        guard let seq = node.sequence else {
            error(node, "'\(key)' must be a list of strings, found \(describe(node))")
            return nil
        }
        var out: [String] = []
        for item in seq {
            guard let s = string(item, key: key) else { return nil }
            out.append(s)
        }
        return out
    }

    /// A scalar's typed value: quoted scalars are strings; plain ones resolve to null, bool, int, float or string.
    func scalarValue(_ node: Node) -> Value {
        guard let scalar = node.scalar else { return .null }
        if scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded {
            return .string(scalar.string)
        }
        // Most plain scalars are names and expressions: one that starts with a letter no null,
        // boolean or number starts with is a string, without Yams's (slow) constructors.
        guard let first = scalar.string.utf8.first else { return .null }
        if Self.startsOnlyStrings(first) { return .string(scalar.string) }
        if node.null != nil { return .null }
        if let b = Self.yamlBool[scalar.string] { return .bool(b) }
        // A YAML 1.1 int or float starts with a digit, a sign or a dot, and is written with
        // digits, `_ : . + -`, an exponent, a radix prefix or hex digits, or `inf`/`nan`.
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
            || first == UInt8(ascii: "."), scalar.string.utf8.allSatisfy(Self.numberBytes.contains)
        else { return .string(scalar.string) }
        if let i = node.int { return .int(i) }
        if let d = node.float { return .double(d) }
        return .string(scalar.string)
    }

    /// Every byte a YAML 1.1 int or float can be written with.
    static let numberBytes = Set("0123456789abcdefABCDEFxXoO_:.+-infINFtT".utf8)

    /// YAML 1.1 booleans, exactly those of Yams's default resolver.
    static let yamlBool: [String: Bool] = [
        "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
        "no": false, "No": false, "NO": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
    ]

    /// Whether a plain scalar starting with `byte` can only be a string: a letter but those
    /// that start `null`, `true`/`false`, `yes`/`no`, `on`/`off`, or `$`, `/`, `_`.
    static func startsOnlyStrings(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            false
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "$"), UInt8(ascii: "/"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    /// Any YAML node as a `Value`.
    func value(_ node: Node) -> Value {
        switch node {
        case .scalar: return scalarValue(node)
        case .sequence(let seq): return .list(seq.map { value($0) })
        case .mapping(let m):
            var o = ValueObject()
            for (k, v) in m { o[k.scalar?.string ?? "?"] = value(v) }
            return .object(o)
        case .alias: return .null
        }
    }

    // MARK: - Expressions and templates

    func expression(_ node: Node, key: String) -> Located<Expression>? {
        let source: String
        switch scalarValue(node) {
        case .bool(let b): source = b ? "true" : "false"
        case .int, .double: source = node.scalar?.string ?? ""
        case .string(let s): source = s
        default:
            error(node, "'\(key)' must be an expression, found \(describe(node))")
            return nil
        }
        var text = source.trimmingWhitespace()
        var shift = source.prefix { $0.isWhitespace }.count
        // `${{ expr }}` around a whole expression is accepted and unwrapped.
        if text.hasPrefix("${{"), text.hasSuffix("}}"), text.components(separatedBy: "${{").count == 2 {
            let inner = String(text.dropFirst(3).dropLast(2))
            shift += 3 + inner.prefix { $0.isWhitespace }.count
            text = inner.trimmingWhitespace()
        }
        do {
            return Located(try Expression(text), at: location(of: node, offset: shift))
        } catch {
            self.error(at: location(of: node, offset: shift + error.offset), "in '\(key)': \(error.message)")
            return nil
        }
    }

    func template(_ node: Node, key: String) -> Located<Template>? {
        let text: String
        switch scalarValue(node) {
        case .string(let s): text = s
        case .int, .double, .bool: text = node.scalar?.string ?? ""
        default:
            error(node, "'\(key)' must be a string, found \(describe(node))")
            return nil
        }
        do {
            // Where the text starts (after a quote), so `location.offset(by:)` finds an expression.
            return Located(try Template(text), at: location(of: node, offset: 0))
        } catch {
            self.error(at: location(of: node, offset: error.offset), "in '\(key)': \(error.message)")
            return nil
        }
    }

    func templateValue(_ node: Node, key: String) -> TemplateValue? {
        switch node {
        case .scalar:
            let v = scalarValue(node)
            if case .string(let s) = v, s.contains("${{") {
                return template(node, key: key).map { .template($0.value) }
            }
            return .scalar(v)
        case .sequence(let seq):
            var items: [TemplateValue] = []
            for item in seq {
                guard let t = templateValue(item, key: key) else { return nil }
                items.append(t)
            }
            return .list(items)
        case .mapping(let m):
            var pairs: [(String, TemplateValue)] = []
            for (k, v) in m {
                guard let t = templateValue(v, key: key) else { return nil }
                pairs.append((k.scalar?.string ?? "?", t))
            }
            return .object(pairs)
        case .alias:
            return .scalar(.null)
        }
    }
}
