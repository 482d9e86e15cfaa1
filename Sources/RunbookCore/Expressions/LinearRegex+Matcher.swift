extension LinearRegex {
    /// A thread of the VM: where it is in the program and what it captured (-1: not yet).
    private struct Thread {
        var pc: Int
        var slots: [Int]
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

    /// The state of one match: the step count against the budget, and a reusable stack.
    private struct Run {
        let input: [Unicode.Scalar]
        let captures: Bool
        var steps = 0
        var stack: [(Int, [Int])] = []
    }

    /// The capture slots of the leftmost match (leftmost-first, as Perl and Swift choose among
    /// alternatives and quantifiers), or nil. Without `captures`, it stops at the first match
    /// found and gives empty slots. Throws when the match needs more than `stepBudget` steps.
    func firstMatch(in input: [Unicode.Scalar], captures: Bool = true) throws(Failure) -> [Int]? {
        var run = Run(input: input, captures: captures)
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var matched: [Int]?
        let empty = captures ? [Int](repeating: -1, count: 2 * (groupCount + 1)) : []
        for position in 0...input.count {
            // A new attempt starts at each position until a match is found, with the lowest priority.
            if matched == nil { try add(&current, pc: 0, slots: empty, at: position, &run) }
            if current.threads.isEmpty, matched != nil { break }
            let scalar = position < input.count ? input[position] : nil
            threads: for thread in current.threads {
                run.steps += 1
                let advances: Bool
                switch program[thread.pc] {
                case .scalar(let c): advances = scalar == c
                case .any: advances = scalar.map { $0 != "\n" } ?? false
                case .set(let set): advances = scalar.map { set.contains($0, caseInsensitive: caseInsensitive) } ?? false
                case .match:
                    if !captures { return [] }
                    matched = thread.slots
                    break threads  // the threads of lower priority are cut
                default: advances = false
                }
                if advances { try add(&next, pc: thread.pc + 1, slots: thread.slots, at: position + 1, &run) }
            }
            swap(&current, &next)
            next.clear()
        }
        return matched
    }

    /// Adds the thread at `pc` to `list`, following jumps, splits (in priority order), saves
    /// and assertions at once, so the list holds only threads waiting on input or a match.
    private func add(_ list: inout ThreadList, pc: Int, slots: [Int], at position: Int, _ run: inout Run) throws(Failure) {
        run.stack.append((pc, slots))
        while let (pc, slots) = run.stack.popLast() {
            run.steps += 1
            guard run.steps <= stepBudget else {
                throw Failure(message: "matching needs more than \(stepBudget) steps on this input of \(run.input.count) characters; use a simpler pattern or a shorter input")
            }
            guard !list.contains(pc) else { continue }
            list.mark(pc)
            switch program[pc] {
            case .jump(let target):
                run.stack.append((target, slots))
            case .split(let first, let second):
                run.stack.append((second, slots))
                run.stack.append((first, slots))
            case .save(let slot):
                guard run.captures else {
                    run.stack.append((pc + 1, slots))
                    continue
                }
                var saved = slots
                saved[slot] = position
                run.stack.append((pc + 1, saved))
            case .assertion(let assertion):
                if assertion.holds(at: position, in: run.input) { run.stack.append((pc + 1, slots)) }
            case .scalar, .set, .any, .match:
                list.threads.append(Thread(pc: pc, slots: slots))
            }
        }
    }
}
