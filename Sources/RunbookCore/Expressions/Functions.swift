import Foundation

/// The pure functions expressions may call. None traps: a number that does not fit, a bad
/// pattern or an argument of the wrong type is an `ExpressionError` naming the function.
enum Functions {
    static let names = [
        "len", "contains", "lower", "upper", "trim", "startsWith", "endsWith", "int", "number", "string",
        "round", "abs", "min", "max", "sum", "avg", "coalesce", "join", "pluck", "keys", "has", "matches", "split", "capture", "replace", "substring", "if",
    ]

    static func call(_ name: String, _ args: [Value], at o: Int) throws(ExpressionError) -> Value {
        func arity(_ n: ClosedRange<Int>) throws(ExpressionError) {
            guard n.contains(args.count) else {
                let expected = n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound) to \(n.upperBound)"
                throw ExpressionError("\(name)() takes \(expected) argument\(n.upperBound == 1 ? "" : "s"), got \(args.count)", at: o)
            }
        }
        func string(_ v: Value) throws(ExpressionError) -> String {
            guard case .string(let s) = v else { throw ExpressionError("\(name)() needs a string, not a \(v.typeName)", at: o) }
            return s
        }
        /// The numbers of a list argument, or of the arguments themselves; nulls are skipped.
        func numbers(_ v: Value) throws(ExpressionError) -> [Value] {
            let items: [Value]
            if case .list(let l) = v { items = l } else { items = args }
            var out: [Value] = []
            for item in items {
                if case .null = item { continue }
                guard item.isNumber else { throw ExpressionError("\(name)() needs numbers, found a \(item.typeName)", at: o) }
                out.append(item)
            }
            return out
        }
        switch name {
        case "len":
            try arity(1...1)
            switch args[0] {
            case .string(let s): return .int(s.count)
            case .list(let l): return .int(l.count)
            case .object(let ob): return .int(ob.count)
            case .null: return .int(0)
            default: throw ExpressionError("len() needs a string, list or object, not a \(args[0].typeName)", at: o)
            }
        case "contains":
            try arity(2...2)
            switch args[0] {
            case .string(let s): return .bool(s.contains(try string(args[1])))
            case .list(let l): return .bool(l.contains { Evaluator.equal($0, args[1]) })
            case .null: return .bool(false)
            default: throw ExpressionError("contains() needs a string or list first, not a \(args[0].typeName)", at: o)
            }
        case "lower": try arity(1...1); return .string(try string(args[0]).lowercased())
        case "upper": try arity(1...1); return .string(try string(args[0]).uppercased())
        case "trim": try arity(1...1); return .string(try string(args[0]).trimmingCharacters(in: .whitespacesAndNewlines))
        case "startsWith": try arity(2...2); return .bool(try string(args[0]).hasPrefix(try string(args[1])))
        case "endsWith": try arity(2...2); return .bool(try string(args[0]).hasSuffix(try string(args[1])))
        case "split": try arity(2...2); return .list(try string(args[0]).components(separatedBy: try string(args[1])).map(Value.string))
        case "matches":
            try arity(2...2)
            let text = try string(args[0])
            let regex = try Functions.regex(try string(args[1]), for: name, at: o)
            do { return .bool(try regex.matches(text)) } catch { throw ExpressionError("\(name)(): \(error.message)", at: o) }
        case "if":
            try arity(3...3)
            return args[0].isTruthy ? args[1] : args[2]
        case "replace":
            try arity(3...3)
            return .string(try string(args[0]).replacingOccurrences(of: try string(args[1]), with: try string(args[2])))
        case "substring":
            try arity(2...3)
            let chars = Array(try string(args[0]))
            func integer(_ v: Value, _ what: String) throws(ExpressionError) -> Int {
                if case .null = v { return 0 }
                return try Arithmetic.integer(v, "substring() \(what)", at: o)
            }
            let start = max(0, min(chars.count, try integer(args[1], "start")))
            let length = args.count == 3 ? max(0, try integer(args[2], "length")) : chars.count - start
            let end = length >= chars.count - start ? chars.count : start + length
            return .string(String(chars[start..<end]))
        case "capture":
            try arity(2...2)
            if case .null = args[0] { return .null }
            let text = try string(args[0])
            let regex = try Functions.regex(try string(args[1]), for: name, at: o)
            do { return try regex.capture(text).map(Value.string) ?? .null } catch { throw ExpressionError("\(name)(): \(error.message)", at: o) }
        case "int":
            try arity(1...1)
            switch args[0] {
            case .int: return args[0]
            case .double, .decimal: return .int(try Arithmetic.integer(args[0], "int()", at: o))
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
                if let i = Int(t) { return .int(i) }
                // Parsed exactly, so a number too large for 64 bits is reported, not rounded.
                if let d = ExactDecimal(t) { return .int(try Arithmetic.integer(.decimal(d), "int()", at: o)) }
                throw ExpressionError("int(): \(Arithmetic.show(args[0])) is not a number", at: o)
            case .bool(let b): return .int(b ? 1 : 0)
            case .null: return .null
            default: throw ExpressionError("int() cannot convert a \(args[0].typeName)", at: o)
            }
        case "number":
            try arity(1...1)
            switch args[0] {
            case .int, .double, .decimal: return args[0]
            case .string:
                guard let d = Double(try string(args[0]).trimmingCharacters(in: .whitespacesAndNewlines)), d.isFinite else {
                    throw ExpressionError("number(): \(Arithmetic.show(args[0])) is not a finite number", at: o)
                }
                return .double(d)
            case .null: return .null
            default: throw ExpressionError("number() cannot convert a \(args[0].typeName)", at: o)
            }
        case "string": try arity(1...1); return .string(args[0].interpolated)
        case "round":
            try arity(1...2)
            if case .null = args[0] { return .null }
            guard args[0].isNumber else { throw ExpressionError("round() needs a number, not a \(args[0].typeName)", at: o) }
            let places = args.count == 2 ? try Arithmetic.integer(args[1], "round() places", at: o) : 0
            guard (-30...30).contains(places) else { throw ExpressionError("round() places must be between -30 and 30, got \(places)", at: o) }
            return try Functions.round(args[0], places: places, at: o)
        case "abs":
            try arity(1...1)
            switch args[0] {
            case .int(let i):
                guard i != .min else { throw ExpressionError("abs(\(i)) does not fit a 64-bit integer (\(Int.min) to \(Int.max))", at: o) }
                return .int(abs(i))
            case .double(let d): return .double(abs(d))
            case .decimal(let d): return .decimal(d.magnitude)
            default: throw ExpressionError("abs() needs a number, not a \(args[0].typeName)", at: o)
            }
        case "min", "max":
            guard !args.isEmpty else { throw ExpressionError("\(name)() needs at least one argument", at: o) }
            let ns = try numbers(args.count == 1 ? args[0] : .list(args))
            guard var best = ns.first else { return .null }
            let better: ComparisonResult = name == "min" ? .orderedAscending : .orderedDescending
            for n in ns.dropFirst() where Arithmetic.order(n, best) == better { best = n }
            return best
        case "sum", "avg":
            guard !args.isEmpty else { throw ExpressionError("\(name)() needs at least one argument", at: o) }
            let ns = try numbers(args.count == 1 ? args[0] : .list(args))
            var total: Value = .int(0)
            for n in ns { total = try Arithmetic.apply("+", total, n, at: o) }
            if name == "sum" { return total }
            guard !ns.isEmpty else { return .null }
            return try Arithmetic.apply("/", total, .int(ns.count), at: o)
        case "coalesce":
            guard !args.isEmpty else { throw ExpressionError("coalesce() needs at least one argument", at: o) }
            return args.first { if case .null = $0 { return false } else { return true } } ?? .null
        case "join":
            try arity(1...2)
            guard case .list(let items) = args[0] else { throw ExpressionError("join() needs a list, not a \(args[0].typeName)", at: o) }
            let separator = args.count == 2 ? try string(args[1]) : ", "
            return .string(items.map(\.interpolated).joined(separator: separator))
        case "pluck":
            try arity(2...2)
            let field = try string(args[1])
            guard case .list(let items) = args[0] else {
                if case .null = args[0] { return .list([]) }
                throw ExpressionError("pluck() needs a list of objects, not a \(args[0].typeName)", at: o)
            }
            return .list(items.map { $0[field] ?? .null })
        case "keys":
            try arity(1...1)
            guard case .object(let ob) = args[0] else { throw ExpressionError("keys() needs an object, not a \(args[0].typeName)", at: o) }
            return .list(ob.keys.map(Value.string))
        case "has":
            try arity(2...2)
            guard case .object(let ob) = args[0] else { return .bool(false) }
            return .bool(ob[try string(args[1])] != nil)
        default:
            throw ExpressionError("unknown function '\(name)'", at: o)
        }
    }

    /// The names of the functions whose second argument is a regular expression.
    static let regexFunctions: Set = ["matches", "capture"]

    /// Compiles the pattern of `name()`, or says why it cannot be used.
    static func regex(_ pattern: String, for name: String, at o: Int) throws(ExpressionError) -> LinearRegex {
        do { return try LinearRegex(pattern) } catch {
            throw ExpressionError("\(name)(): invalid regular expression '\(pattern)': \(error.message)", at: o)
        }
    }

    /// `round(x, places)`: an int when `places` is 0 or less and the result fits one, else a
    /// number of the argument's type; decimals are rounded exactly, half away from zero.
    private static func round(_ x: Value, places: Int, at o: Int) throws(ExpressionError) -> Value {
        switch x {
        case .int where places >= 0:
            return x
        case .double(let d):
            let factor = pow(10.0, Double(places))
            let scaled = (d * factor).rounded()
            // Too large to scale: the double has no digits at those places anyway.
            let r = scaled.isFinite ? scaled / factor : d
            if places <= 0, let i = Int(exactly: r) { return .int(i) }
            return .double(r)
        default:
            guard let exact = Arithmetic.exact(x), let r = exact.rounded(toScale: places) else {
                throw ExpressionError("round(): \(Arithmetic.show(x)) cannot be rounded to \(places) places", at: o)
            }
            if places <= 0, let i = r.truncatedInt { return .int(i) }
            return .decimal(r)
        }
    }
}
