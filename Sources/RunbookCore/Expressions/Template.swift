/// A string with `${{ expression }}` interpolations. A template with none is a literal.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    /// A piece of a template: literal text or one `${{ }}`.
    public enum Segment: Sendable, Hashable {
        /// Literal text, as written.
        case text(String)
        /// An expression and the character offset of its text within the template.
        case expression(Expression, offset: Int)
    }

    /// The text the template was parsed from.
    public let source: String
    /// Text and expressions in order; empty for an empty template.
    public let segments: [Segment]

    /// Parses `source`; errors carry the character offset within the template.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        // Most values have no `${{`: a template of one text, found without scanning characters.
        guard source.utf8.contains(UInt8(ascii: "$")) else {
            segments = source.isEmpty ? [] : [.text(source)]
            return
        }
        segments = try ASCIIText.scan(source, ascii: { Template.segments(of: $0) }, characters: { Template.segments(of: $0) }).get()
    }

    private static func segments(of chars: some LexerText) -> Result<[Segment], ExpressionError> {
        var segments: [Segment] = []
        var i = 0
        var run = 0  // the start of the literal text not yet in a segment
        while i < chars.count {
            if chars.is("$", at: i), i + 2 < chars.count, chars.is("{", at: i + 1), chars.is("{", at: i + 2) {
                let start = i + 3
                var j = start
                while j + 1 < chars.count, !(chars.is("}", at: j) && chars.is("}", at: j + 1)) { j += 1 }
                guard j + 1 < chars.count else { return .failure(ExpressionError("'${{' without a closing '}}'", at: i)) }
                if run < i { segments.append(.text(chars.string(run..<i))) }
                var leading = 0
                while start + leading < j, chars.isWhitespace(at: start + leading) { leading += 1 }
                do {
                    let expr = try Expression(chars.string(start..<j).trimmingWhitespace())
                    segments.append(.expression(expr, offset: start + leading))
                } catch {
                    return .failure(ExpressionError(error.message, at: start + leading + error.offset))
                }
                i = j + 2
                run = i
            } else {
                i += 1
            }
        }
        if run < chars.count { segments.append(.text(chars.string(run..<chars.count))) }
        return .success(segments)
    }

    /// A template that is exactly `text` (no interpolation parsed).
    public init(literal text: String) {
        source = text
        segments = text.isEmpty ? [] : [.text(text)]
    }

    /// The source text.
    public var description: String { source }

    /// Whether it interpolates nothing (its value is its text).
    public var isLiteral: Bool { segments.allSatisfy { if case .text = $0 { return true } else { return false } } }

    /// The expressions interpolated, with their offsets in the template.
    public var expressions: [(Expression, Int)] {
        segments.compactMap { if case .expression(let e, let o) = $0 { return (e, o) } else { return nil } }
    }

    /// Renders with each value through `format` (by default, `Value.interpolated`).
    public func render(in scope: ExpressionScope, format: (Value) -> String = { $0.interpolated }) throws(ExpressionError) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let t): out += t
            case .expression(let e, let o):
                do { out += format(try e.evaluate(in: scope)) } catch { throw ExpressionError(error.message, at: o + error.offset) }
            }
        }
        return out
    }

    /// When the template is exactly one `${{ expr }}`, its value keeps its type (a list stays a list).
    public func evaluateValue(in scope: ExpressionScope) throws(ExpressionError) -> Value {
        if segments.count == 1, case .expression(let e, let o) = segments[0] {
            do { return try e.evaluate(in: scope) } catch { throw ExpressionError(error.message, at: o + error.offset) }
        }
        return .string(try render(in: scope))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
