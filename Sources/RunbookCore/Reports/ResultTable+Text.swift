extension ResultTable {
    /// The table as terminal lines of at most `width` characters: columns two spaces apart, a
    /// rule under the header, long cells wrapped (at spaces when they can be), numbers
    /// right-aligned, then "and N more" when the excerpt kept fewer rows than the query
    /// returned. A highlighted cell is in reverse video with `color`, between `*` without. When
    /// even narrow columns cannot fit, each row is printed as `column  value` lines instead.
    public func text(width: Int, color: Bool = false) -> [String] {
        let width = max(width, 20)
        let shown = rows.map { row in row.map { cell in cell.highlighted && !color ? "*\(cell.text)*" : cell.text } }
        let natural = columns.indices.map { c in ([columns[c]] + shown.map { $0[c] }).map(Self.longestLine).max() ?? 1 }
        let available = width - 2 * (columns.count - 1)
        var widths = natural.map { max($0, 1) }
        let floors = natural.map { min(max($0, 1), 6) }
        while widths.reduce(0, +) > available, let widest = widths.indices.filter({ widths[$0] > floors[$0] }).max(by: { widths[$0] < widths[$1] }) {
            widths[widest] -= 1
        }
        var lines: [String]
        if widths.reduce(0, +) > available {
            lines = records(shown, width: width, color: color)
        } else {
            lines = block(columns.indices.map { c in (columns[c], false) }, widths: widths)
            lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
            for (r, row) in shown.enumerated() {
                lines += block(row.indices.map { c in (row[c], rows[r][c].highlighted && color) }, widths: widths)
            }
        }
        lines.append(more > 0 ? "and \(more) more (\(summary))" : "(\(summary))")
        return lines
    }

    /// One table row, its cells wrapped to `widths`, as many lines as its tallest cell.
    func block(_ cells: [(text: String, reverse: Bool)], widths: [Int]) -> [String] {
        let wrapped = cells.indices.map { Self.wrap(cells[$0].text, width: widths[$0]) }
        let height = wrapped.map(\.count).max() ?? 1
        return (0..<height).map { line in
            cells.indices.map { c -> String in
                let part = line < wrapped[c].count ? wrapped[c][line] : ""
                let pad = String(repeating: " ", count: widths[c] - part.count)
                let text = cells[c].reverse && !part.isEmpty ? "\u{1B}[7m\(part)\u{1B}[0m" : part
                return numeric[c] ? pad + text : text + pad
            }.joined(separator: "  ").trailingSpacesDropped
        }
    }

    /// Each row as `column  value` lines (values wrapped), rows apart by a blank line.
    func records(_ shown: [[String]], width: Int, color: Bool) -> [String] {
        let label = min(columns.map(\.count).max() ?? 1, width / 3)
        var lines: [String] = []
        for (r, row) in shown.enumerated() {
            if r > 0 { lines.append("") }
            for c in columns.indices {
                let name = Self.wrap(columns[c], width: label)
                let value = Self.wrap(row[c], width: width - label - 2)
                for i in 0..<max(name.count, value.count) {
                    let n = i < name.count ? name[i] : ""
                    var v = i < value.count ? value[i] : ""
                    if rows[r][c].highlighted && color && !v.isEmpty { v = "\u{1B}[7m\(v)\u{1B}[0m" }
                    lines.append((n + String(repeating: " ", count: label - n.count) + "  " + v).trailingSpacesDropped)
                }
            }
        }
        return lines
    }

    static func longestLine(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0
    }

    /// `text` in lines of at most `width` characters: broken at spaces, a word longer than a
    /// line cut, a newline kept.
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var started = false
            for var word in paragraph.split(separator: " ") {
                if started && line.count + 1 + word.count <= width {
                    line += " " + word
                    continue
                }
                if started { lines.append(line) }
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                line = String(word)
                started = true
            }
            lines.append(line)
        }
        return lines.isEmpty ? [""] : lines
    }
}

extension String {
    var trailingSpacesDropped: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
