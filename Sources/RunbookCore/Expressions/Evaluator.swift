import Foundation

/// Evaluates expression trees. Member access on `null` gives `null` (an empty result set
/// does not crash a threshold), but a missing field of an existing object is an error, so a
/// misspelt column is reported instead of silently reading as null.
struct Evaluator {
    let scope: ExpressionScope

    func evaluate(_ node: Expression.Node) throws(ExpressionError) -> Value {
        switch node {
        case .literal(let v, _):
            return v
        case .list(let items, _):
            var out: [Value] = []
            for item in items { out.append(try evaluate(item)) }
            return .list(out)
        case .identifier(let name, let o):
            guard let v = scope[name] else {
                let hint = Suggest.didYouMean(name, in: Array(scope.roots.keys))
                throw ExpressionError("unknown name '\(name)'\(hint)", at: o)
            }
            return v
        case .member(let base, let name, let o):
            return try member(try evaluate(base), name, at: o, path: base.staticPath?.segments)
        case .index(let base, let indexNode, let o):
            let container = try evaluate(base)
            let index = try evaluate(indexNode)
            switch (container, index) {
            case (.null, _): return .null
            case (.list(let items), .int(let i)):
                let j = i < 0 ? items.count + i : i
                return items.indices.contains(j) ? items[j] : .null
            case (.object, .string(let key)):
                return try member(container, key, at: o, path: base.staticPath?.segments)
            case (.string(let s), .int(let i)):
                let chars = Array(s)
                let j = i < 0 ? chars.count + i : i
                return chars.indices.contains(j) ? .string(String(chars[j])) : .null
            default:
                throw ExpressionError("cannot index a \(container.typeName) with a \(index.typeName)", at: o)
            }
        case .unary(let op, let operand, let o):
            let v = try evaluate(operand)
            if op == "not" { return .bool(!v.isTruthy) }
            return try Arithmetic.negate(v, at: o)
        case .binary(let op, let l, let r, let o):
            if op == "and" {
                let left = try evaluate(l)
                return left.isTruthy ? .bool(try evaluate(r).isTruthy) : .bool(false)
            }
            if op == "or" {
                let left = try evaluate(l)
                return left.isTruthy ? .bool(true) : .bool(try evaluate(r).isTruthy)
            }
            return try binary(op, try evaluate(l), try evaluate(r), at: o)
        case .call(let name, let args, let o):
            var values: [Value] = []
            for a in args { values.append(try evaluate(a)) }
            return try Functions.call(name, values, at: o)
        }
    }

    private func member(_ base: Value, _ name: String, at offset: Int, path: [String]?) throws(ExpressionError) -> Value {
        switch base {
        case .null:
            return .null
        case .object(let object):
            if let v = object[name] { return v }
            let owner = path.map { $0.joined(separator: ".") } ?? "object"
            let hint = Suggest.didYouMean(name, in: object.keys)
            let known = hint.isEmpty && !object.keys.isEmpty && object.keys.count <= 12
                ? " (it has: \(object.keys.joined(separator: ", ")))" : ""
            throw ExpressionError("'\(owner)' has no field '\(name)'\(hint)\(known)", at: offset)
        case .list(let items) where name == "length":
            return .int(items.count)
        default:
            throw ExpressionError("cannot read '\(name)' of a \(base.typeName)", at: offset)
        }
    }

    private func binary(_ op: String, _ l: Value, _ r: Value, at o: Int) throws(ExpressionError) -> Value {
        switch op {
        case "==": return .bool(Evaluator.equal(l, r))
        case "!=": return .bool(!Evaluator.equal(l, r))
        case "<", "<=", ">", ">=":
            if case .null = l { return .bool(false) }
            if case .null = r { return .bool(false) }
            let order: ComparisonResult
            if l.isNumber, r.isNumber {
                // NaN is unordered: every comparison with it is false.
                guard let exact = Arithmetic.order(l, r) else { return .bool(false) }
                order = exact
            } else if case .string(let a) = l, case .string(let b) = r {
                order = a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
            } else {
                throw ExpressionError("cannot compare a \(l.typeName) with a \(r.typeName) using '\(op)'", at: o)
            }
            switch op {
            case "<": return .bool(order == .orderedAscending)
            case "<=": return .bool(order != .orderedDescending)
            case ">": return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case "in":
            switch r {
            case .list(let items): return .bool(items.contains { Evaluator.equal($0, l) })
            case .string(let s):
                guard case .string(let needle) = l else { throw ExpressionError("'in' a string needs a string on the left", at: o) }
                return .bool(s.contains(needle))
            case .object(let obj):
                guard case .string(let key) = l else { throw ExpressionError("'in' an object needs a string key", at: o) }
                return .bool(obj[key] != nil)
            default: throw ExpressionError("'in' needs a list, string or object on the right, not a \(r.typeName)", at: o)
            }
        case "+":
            switch (l, r) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.string(let a), _): return .string(a + r.interpolated)
            case (.list(let a), .list(let b)): return .list(a + b)
            default:
                guard l.isNumber, r.isNumber else {
                    throw ExpressionError("cannot add a \(l.typeName) and a \(r.typeName)", at: o)
                }
                return try Arithmetic.apply(op, l, r, at: o)
            }
        case "-", "*", "/", "%":
            guard l.isNumber, r.isNumber else {
                throw ExpressionError("'\(op)' needs numbers, not a \(l.typeName) and a \(r.typeName)", at: o)
            }
            return try Arithmetic.apply(op, l, r, at: o)
        default:
            throw ExpressionError("unknown operator '\(op)'", at: o)
        }
    }

    /// Equality where `1 == 1.0 == 1.00` (numbers compare exactly, whatever their types), and
    /// containers compare element-wise.
    static func equal(_ l: Value, _ r: Value) -> Bool {
        if l.isNumber, r.isNumber { return Arithmetic.order(l, r) == .orderedSame }
        switch (l, r) {
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.pairs.allSatisfy { pair in b[pair.key].map { equal(pair.value, $0) } ?? false }
        default:
            return l == r
        }
    }
}
