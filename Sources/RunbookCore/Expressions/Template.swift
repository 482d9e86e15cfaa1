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
        var segments: [Segment] = []
        let chars = Array(source)
        var i = 0
        var text = ""
        while i < chars.count {
            if chars[i] == "$", i + 2 < chars.count, chars[i + 1] == "{", chars[i + 2] == "{" {
                let start = i + 3
                var j = start
                while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
                guard j + 1 < chars.count else { throw ExpressionError("'${{' without a closing '}}'", at: i) }
                if !text.isEmpty { segments.append(.text(text)); text = "" }
                let inner = String(chars[start..<j])
                let leading = inner.prefix { $0.isWhitespace }.count
                do {
                    let expr = try Expression(inner.trimmingWhitespace())
                    segments.append(.expression(expr, offset: start + leading))
                } catch {
                    throw ExpressionError(error.message, at: start + leading + error.offset)
                }
                i = j + 2
            } else {
                text.append(chars[i])
                i += 1
            }
        }
        if !text.isEmpty { segments.append(.text(text)) }
        self.segments = segments
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
