/// Parses the cattle-lot CSV: header `farm,lot,head_count,weight_kg,price`, one lot a line.
///
/// RFC 4180 quoting is understood (`"Fazenda Boa Vista, MS"`), blank lines are skipped and
/// CRLF line ends are accepted. A row with the wrong shape or a non-number is a
/// `validation` rejection; a row with implausible values (head count not positive, weight
/// outside 1...2000 kg per head, negative price, a farm/lot repeated in the file) is a
/// `data` rejection.
public struct CattleLotParser: Sendable {
    /// The header every file must start with.
    public static let header = ["farm", "lot", "head_count", "weight_kg", "price"]

    /// Largest accepted content, in bytes (larger files fail with `resource`).
    public var maxBytes: Int

    /// Creates a parser.
    public init(maxBytes: Int = UploadLimit.defaultBytes) {
        self.maxBytes = maxBytes
    }

    /// Parses `content`; throws ``FileRejection`` when the file as a whole is unusable.
    public func parse(_ content: String?) throws(FileRejection) -> ParsedFile {
        guard let content, !content.allSatisfy(\.isWhitespace) else {
            throw FileRejection(errorType: .validation, message: "file is empty")
        }
        if let message = UploadLimit.rejection(contentBytes: content.utf8.count, limit: maxBytes) {
            throw FileRejection(errorType: .resource, message: message)
        }
        var lines = content.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated()
            .map { (number: $0.offset + 1, text: String($0.element).trimmingTrailingCarriageReturn()) }
            .filter { !$0.text.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else {
            throw FileRejection(errorType: .validation, message: "file is empty")
        }
        let headerLine = lines.removeFirst()
        let header = Self.fields(of: headerLine.text).map { $0.trimmed().lowercased() }
        guard header == Self.header else {
            throw FileRejection(
                errorType: .validation,
                message: "invalid header '\(headerLine.text.prefix(80))': expected \(Self.header.joined(separator: ","))"
            )
        }
        var result = ParsedFile(lots: [], rejected: [])
        var seen = Set<String>()
        for line in lines {
            switch Self.row(line.text, line: line.number) {
            case .failure(let rejected):
                result.rejected.append(rejected)
            case .success(let lot):
                let key = "\(lot.farm)\u{1F}\(lot.lot)"
                if seen.contains(key) {
                    result.rejected.append(RejectedRow(line: line.number, raw: line.text, errorType: .data,
                                                       message: "duplicate lot '\(lot.lot)' for farm '\(lot.farm)'"))
                } else {
                    seen.insert(key)
                    result.lots.append(lot)
                }
            }
        }
        return result
    }

    private static func row(_ text: String, line: Int) -> Result<CattleLot, RejectedRow> {
        func reject(_ type: ErrorType, _ message: String) -> Result<CattleLot, RejectedRow> {
            .failure(RejectedRow(line: line, raw: text, errorType: type, message: message))
        }
        let fields = Self.fields(of: text).map { $0.trimmed() }
        guard fields.count == header.count else {
            return reject(.validation, "expected \(header.count) columns, found \(fields.count)")
        }
        let (farm, lot) = (fields[0], fields[1])
        guard !farm.isEmpty else { return reject(.validation, "farm is empty") }
        guard !lot.isEmpty else { return reject(.validation, "lot is empty") }
        guard let headCount = Int(fields[2]) else {
            return reject(.validation, "head_count '\(fields[2])' is not an integer")
        }
        guard let weight = Double(fields[3]), weight.isFinite else {
            return reject(.validation, "weight_kg '\(fields[3])' is not a number")
        }
        guard let price = Double(fields[4]), price.isFinite else {
            return reject(.validation, "price '\(fields[4])' is not a number")
        }
        guard headCount > 0, headCount <= 100_000 else {
            return reject(.data, "head_count \(headCount) is out of range 1...100000")
        }
        guard weight >= 1, weight <= 2000 else {
            return reject(.data, "weight_kg \(fields[3]) is out of range 1...2000 kg per head")
        }
        guard price >= 0, price < 1e11 else {
            return reject(.data, "price \(fields[4]) is out of range")
        }
        return .success(CattleLot(farm: farm, lot: lot, headCount: headCount, weightKg: weight, price: price))
    }

    /// Splits one CSV line into fields, honouring double quotes.
    static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.allSatisfy(\.isWhitespace) {
                current = ""
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    func trimmed() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }

    func trimmingTrailingCarriageReturn() -> String {
        hasSuffix("\r") ? String(dropLast()) : self
    }
}
