/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    /// `" (did you mean 'x'?)"` for the closest candidate within a small distance, else `""`.
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
        guard let best = closest(word, in: candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    /// The candidate nearest to `word` by case-insensitive edit distance, within
    /// `max(1, min(3, word.count / 3 + 1))` edits; ties go to the earliest candidate. `word`
    /// itself is never suggested; nil when nothing is close enough.
    public static func closest(_ word: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(1, min(3, word.count / 3 + 1))
        var best: (String, Int)?
        for candidate in candidates where candidate != word {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    /// Levenshtein distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
