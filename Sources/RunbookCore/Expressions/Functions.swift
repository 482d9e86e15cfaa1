import Foundation

/// The pure functions expressions may call.
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
        func numbers(_ v: Value) throws(ExpressionError) -> [Double] {
            let items: [Value]
            if case .list(let l) = v { items = l } else { items = args }
            var out: [Double] = []
            for item in items {
                if case .null = item { continue }
                guard let n = item.number else { throw ExpressionError("\(name)() needs numbers, found a \(item.typeName)", at: o) }
                out.append(n)
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
            let pattern = try string(args[1])
            guard let regex = try? Regex(pattern) else { throw ExpressionError("matches(): invalid regular expression '\(pattern)'", at: o) }
            return .bool(text.contains(regex))
        case "if":
            try arity(3...3)
            return args[0].isTruthy ? args[1] : args[2]
        case "replace":
            try arity(3...3)
            return .string(try string(args[0]).replacingOccurrences(of: try string(args[1]), with: try string(args[2])))
        case "substring":
            try arity(2...3)
            let chars = Array(try string(args[0]))
            let start = max(0, min(chars.count, Int(args[1].number ?? 0)))
            let length = args.count == 3 ? max(0, Int(args[2].number ?? 0)) : chars.count - start
            return .string(String(chars[start..<min(chars.count, start + length)]))
        case "capture":
            try arity(2...2)
            if case .null = args[0] { return .null }
            let text = try string(args[0])
            let pattern = try string(args[1])
            guard let regex = try? Regex(pattern) else { throw ExpressionError("capture(): invalid regular expression '\(pattern)'", at: o) }
            guard let match = text.firstMatch(of: regex) else { return .null }
            let output = match.output
            if output.count > 1, let sub = output[1].substring { return .string(String(sub)) }
            return .string(String(text[match.range]))
        case "int":
            try arity(1...1)
            switch args[0] {
            case .int: return args[0]
            case .double(let d) where d.isFinite: return .int(Int(d))
            case .string(let s):
                let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
                if let i = Int(t) { return .int(i) }
                if let d = Double(t), d.isFinite { return .int(Int(d)) }
                throw ExpressionError("int(): '\(s)' is not a number", at: o)
            case .bool(let b): return .int(b ? 1 : 0)
            case .null: return .null
            default: throw ExpressionError("int() cannot convert a \(args[0].typeName)", at: o)
            }
        case "number":
            try arity(1...1)
            switch args[0] {
            case .int, .double: return args[0]
            case .string(let s):
                guard let d = Double(s.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw ExpressionError("number(): '\(s)' is not a number", at: o)
                }
                return .double(d)
            case .null: return .null
            default: throw ExpressionError("number() cannot convert a \(args[0].typeName)", at: o)
            }
        case "string": try arity(1...1); return .string(args[0].interpolated)
        case "round":
            try arity(1...2)
            if case .null = args[0] { return .null }
            guard let x = args[0].number else { throw ExpressionError("round() needs a number, not a \(args[0].typeName)", at: o) }
            let places = args.count == 2 ? Int(args[1].number ?? 0) : 0
            let factor = pow(10.0, Double(places))
            let r = (x * factor).rounded() / factor
            return places == 0 ? .int(Int(r)) : .double(r)
        case "abs":
            try arity(1...1)
            switch args[0] {
            case .int(let i): return .int(abs(i))
            case .double(let d): return .double(abs(d))
            default: throw ExpressionError("abs() needs a number, not a \(args[0].typeName)", at: o)
            }
        case "min", "max", "sum", "avg":
            guard !args.isEmpty else { throw ExpressionError("\(name)() needs at least one argument", at: o) }
            let ns = try numbers(args.count == 1 ? args[0] : .list(args))
            if name == "sum" { return Functions.numberValue(ns.reduce(0, +), allInts: ints(args)) }
            guard !ns.isEmpty else { return .null }
            switch name {
            case "min": return Functions.numberValue(ns.min()!, allInts: ints(args))
            case "max": return Functions.numberValue(ns.max()!, allInts: ints(args))
            default: return .double(ns.reduce(0, +) / Double(ns.count))
            }
        case "coalesce":
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

    private static func ints(_ args: [Value]) -> Bool {
        let items: [Value]
        if args.count == 1, case .list(let l) = args[0] { items = l } else { items = args }
        return items.allSatisfy { if case .int = $0 { return true }; if case .null = $0 { return true }; return false }
    }

    private static func numberValue(_ d: Double, allInts: Bool) -> Value {
        allInts && d.isFinite && abs(d) < 9e15 ? .int(Int(d)) : .double(d)
    }
}
