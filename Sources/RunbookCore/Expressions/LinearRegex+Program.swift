extension LinearRegex {
    /// An instruction of the compiled program.
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case set(ScalarSet)
        /// Anything but a newline.
        case any
        /// Try the first target, then (with lower priority) the second.
        case split(Int, Int)
        case jump(Int)
        /// Record the position in a capture slot.
        case save(Int)
        case assertion(Assertion)
        case match
    }

    /// Compiles a pattern to a program; counted repetitions are expanded, within
    /// ``LinearRegex/maxInstructions``.
    struct Compiler {
        let caseInsensitive: Bool
        private(set) var program: [Instruction] = []

        init(caseInsensitive: Bool) { self.caseInsensitive = caseInsensitive }

        @discardableResult
        mutating func append(_ instruction: Instruction) throws(Failure) -> Int {
            guard program.count < LinearRegex.maxInstructions else {
                throw Failure(message: "the pattern is too large once its repetitions are expanded (more than \(LinearRegex.maxInstructions) steps)")
            }
            program.append(instruction)
            return program.count - 1
        }

        mutating func compile(_ node: Node) throws(Failure) {
            switch node {
            case .scalar(let c):
                try append(caseInsensitive ? .set(.single(c)) : .scalar(c))
            case .any:
                try append(.any)
            case .set(let set):
                try append(.set(set))
            case .assertion(let a):
                try append(.assertion(a))
            case .group(let inner, let capture):
                if let capture { try append(.save(2 * capture)) }
                try compile(inner)
                if let capture { try append(.save(2 * capture + 1)) }
            case .concatenation(let items):
                for item in items { try compile(item) }
            case .alternation(let branches):
                var exits: [Int] = []
                for branch in branches.dropLast() {
                    let split = try append(.split(0, 0))
                    try compile(branch)
                    exits.append(try append(.jump(0)))
                    program[split] = .split(split + 1, program.count)
                }
                if let last = branches.last { try compile(last) }
                for exit in exits { program[exit] = .jump(program.count) }
            case .repetition(let inner, let min, let max, let greedy):
                for _ in 0..<min { try compile(inner) }
                if let max {
                    // x{2,4} is x x (x (x)?)?: each optional copy may leave for the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(try append(.split(0, 0)))
                        try compile(inner)
                    }
                    let end = program.count
                    for s in splits { program[s] = greedy ? .split(s + 1, end) : .split(end, s + 1) }
                } else {
                    let loop = try append(.split(0, 0))
                    try compile(inner)
                    try append(.jump(loop))
                    let end = program.count
                    program[loop] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
                }
            }
        }
    }
}
