extension LinearRegex {
    /// A thread of the VM: where it is in the program and what it captured.
    private struct Thread {
        var pc: Int
        var slots: [Int?]
    }

    /// The threads alive at one input position, in priority order, at most one per instruction.
    private struct ThreadList {
        var threads: [Thread] = []
        private var marks: [Int]
        private var stamp = 1

        init(size: Int) { marks = [Int](repeating: 0, count: size) }

        func contains(_ pc: Int) -> Bool { marks[pc] == stamp }
        mutating func mark(_ pc: Int) { marks[pc] = stamp }

        mutating func clear() {
            threads.removeAll(keepingCapacity: true)
            stamp += 1
        }
    }

    /// The capture slots of the leftmost match (leftmost-first, as Perl and Swift choose among
    /// alternatives and quantifiers), or nil. Throws when the match needs more than
    /// ``LinearRegex/stepBudget`` steps.
    func firstMatch(in input: [Unicode.Scalar]) throws(Failure) -> [Int?]? {
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var matched: [Int?]?
        var steps = 0
        let empty = [Int?](repeating: nil, count: 2 * (groupCount + 1))
        for position in 0...input.count {
            // A new attempt starts at each position until a match is found, with the lowest priority.
            if matched == nil { try add(&current, pc: 0, slots: empty, at: position, in: input, steps: &steps) }
            if current.threads.isEmpty, matched != nil { break }
            let scalar = position < input.count ? input[position] : nil
            threads: for thread in current.threads {
                steps += 1
                let advances: Bool
                switch program[thread.pc] {
                case .scalar(let c): advances = scalar == c
                case .any: advances = scalar.map { $0 != "\n" } ?? false
                case .set(let set): advances = scalar.map { set.contains($0, caseInsensitive: caseInsensitive) } ?? false
                case .match:
                    matched = thread.slots
                    break threads  // the threads of lower priority are cut
                default: advances = false
                }
                if advances { try add(&next, pc: thread.pc + 1, slots: thread.slots, at: position + 1, in: input, steps: &steps) }
            }
            swap(&current, &next)
            next.clear()
        }
        return matched
    }

    /// Adds the thread at `pc` to `list`, following jumps, splits (in priority order), saves
    /// and assertions at once, so the list holds only threads waiting on input or a match.
    private func add(_ list: inout ThreadList, pc: Int, slots: [Int?], at position: Int, in input: [Unicode.Scalar], steps: inout Int) throws(Failure) {
        var stack = [(pc, slots)]
        while let (pc, slots) = stack.popLast() {
            steps += 1
            guard steps <= LinearRegex.stepBudget else {
                throw Failure(message: "matching needs more than \(LinearRegex.stepBudget) steps on this input of \(input.count) characters; use a simpler pattern or a shorter input")
            }
            guard !list.contains(pc) else { continue }
            list.mark(pc)
            switch program[pc] {
            case .jump(let target):
                stack.append((target, slots))
            case .split(let first, let second):
                stack.append((second, slots))
                stack.append((first, slots))
            case .save(let slot):
                var saved = slots
                saved[slot] = position
                stack.append((pc + 1, saved))
            case .assertion(let assertion):
                if assertion.holds(at: position, in: input) { stack.append((pc + 1, slots)) }
            case .scalar, .set, .any, .match:
                list.threads.append(Thread(pc: pc, slots: slots))
            }
        }
    }
}
