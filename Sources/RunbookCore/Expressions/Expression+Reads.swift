extension Expression {
    /// Every value the expression reads under `root` (`steps`), as the text of its path with
    /// literal indexes (`steps.count.result.rows[0].n`) and the value found in `scope` (null when
    /// missing). Only the longest paths are given: `a.b[0].c`, not also `a.b`. A dynamic index
    /// (`rows[i]`) ends a path at what it indexes.
    public func reads(under root: String, in scope: ExpressionScope) -> [(path: String, value: Value)] {
        var out: [(String, Value)] = []
        var stack = [self.root]
        let evaluator = Evaluator(scope: scope)
        while let node = stack.popLast() {
            if let (path, first) = node.literalPath {
                if first == root { out.append((path, (try? evaluator.evaluate(node)) ?? .null)) }
                continue
            }
            switch node {
            case .index(let base, let index, _):
                stack.append(index)
                stack.append(base)
            default:
                stack.append(contentsOf: node.children.reversed())
            }
        }
        return out
    }
}

extension Expression.Node {
    /// The text of a member/index chain rooted at an identifier whose indexes are all literals,
    /// and that identifier; nil for anything else.
    var literalPath: (text: String, root: String)? {
        switch self {
        case .identifier(let name, _): return (name, name)
        case .member(let base, let name, _):
            guard let (text, root) = base.literalPath else { return nil }
            return (text + "." + name, root)
        case .index(let base, let index, _):
            guard let (text, root) = base.literalPath else { return nil }
            switch index {
            case .literal(.int(let i), _): return (text + "[\(i)]", root)
            case .literal(.string(let key), _): return (text + "[\"\(key)\"]", root)
            default: return nil
            }
        default: return nil
        }
    }
}
