import Foundation

/// Parses one line of an allowed_signers file the way OpenSSH's `sshsig.c` reads it:
/// `principals [options] keytype base64-key [comment]`, where principals is one
/// comma-separated token (optionally in double quotes) and options are
/// `cert-authority`, `namespaces="..."`, `valid-after="..."` and `valid-before="..."`.
struct AllowedSignersLineParser {
    private let characters: [Character]
    private let location: SourceLocation
    private var index = 0

    init(line: Substring, location: SourceLocation) {
        self.characters = Array(line)
        self.location = location
    }

    /// The key types OpenSSH reads in an allowed_signers file (plain keys and certificates).
    static let keyTypes: Set<String> = {
        let plain = ["ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                     "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"]
        let certificates = plain.map { type in
            type.hasSuffix("@openssh.com") ? type.replacingOccurrences(of: "@openssh.com", with: "-cert-v01@openssh.com") : type + "-cert-v01@openssh.com"
        }
        return Set(plain + certificates)
    }()

    static let optionNames = ["cert-authority", "namespaces", "valid-after", "valid-before"]

    /// The signer of the line; nil for a blank or comment line.
    mutating func parse() -> Result<AllowedSigner?, Diagnostic> {
        do {
            return .success(try signer())
        } catch {
            return .failure(error)
        }
    }

    private mutating func signer() throws(Diagnostic) -> AllowedSigner? {
        skipSpace()
        guard let first = peek, first != "#" else { return nil }
        let principals = try principalList()
        skipSpace()
        guard !atEnd else { throw error(at: index, "missing key: a signer line is `principals [options] keytype base64-key`") }
        var signer = AllowedSigner(principals: principals, keyType: "", key: "", location: location)
        let wordStart = index
        let word = token()
        index = wordStart
        if !Self.keyTypes.contains(word) {
            try options(into: &signer)
            skipSpace()
            guard !atEnd else { throw error(at: index, "missing key after the options: expected a key type such as ssh-ed25519 and its base64 key") }
        }
        let typeStart = index
        let keyType = token()
        guard Self.keyTypes.contains(keyType) else {
            if keyType.contains("=") || keyType.contains("\"") {
                throw error(at: typeStart, "options must be one comma-separated word (no spaces between them), then the key type")
            }
            throw error(at: typeStart, "unknown key type '\(keyType)'\(Suggest.didYouMean(keyType, in: Self.keyTypes.sorted()))")
        }
        skipSpace()
        let keyStart = index
        let key = token()
        guard !key.isEmpty else { throw error(at: keyStart, "missing the base64 public key after \(keyType)") }
        guard let blob = Data(base64Encoded: key) else { throw error(at: keyStart, "the public key is not valid base64") }
        guard let inner = Self.blobType(blob) else { throw error(at: keyStart, "the public key data is not an SSH public key") }
        guard inner == keyType else { throw error(at: keyStart, "the key data is a \(inner) key, but the line says \(keyType)") }
        signer.keyType = keyType
        signer.key = key
        return signer  // anything after the key is a comment
    }

    /// `alice@example.com,bob@example.com` or `"alice@example.com,*@ops.example.com"`.
    private mutating func principalList() throws(Diagnostic) -> [String] {
        let start = index
        let text: String
        var column = start
        if peek == "\"" {
            index += 1
            column = index
            guard let close = characters[index...].firstIndex(of: "\"") else { throw error(at: start, "unterminated quote in the principals") }
            text = String(characters[index..<close])
            index = close + 1
            guard atEnd || isSpace(characters[index]) else { throw error(at: index, "expected a space after the quoted principals") }
        } else {
            text = token()
        }
        var principals: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw error(at: column, "empty principal in the list '\(text)'") }
            principals.append(String(part))
            column += part.count + 1
        }
        return principals
    }

    /// `option[,option...]`, up to the next space.
    private mutating func options(into signer: inout AllowedSigner) throws(Diagnostic) {
        var seen = Set<String>()
        let firstOption = index
        while true {
            let start = index
            let nameEnd = characters[index...].firstIndex { $0 == "=" || $0 == "," || isSpace($0) } ?? characters.count
            let name = String(characters[index..<nameEnd]).lowercased()
            guard Self.optionNames.contains(name) else {
                let shown = String(characters[index..<nameEnd])
                if start == firstOption, nameEnd == characters.count || isSpace(characters[nameEnd]) {
                    // One bare word where the key type or the options go: most likely a mistyped key type.
                    throw error(at: start, "unknown key type '\(shown)'\(Suggest.didYouMean(shown, in: Self.keyTypes.sorted() + Self.optionNames))")
                }
                throw error(at: start, "unknown option '\(shown)'\(Suggest.didYouMean(shown, in: Self.optionNames)) "
                    + "(options: cert-authority, namespaces=\"...\", valid-after=\"...\", valid-before=\"...\")")
            }
            guard seen.insert(name).inserted else { throw error(at: start, "option '\(name)' is given twice") }
            index = nameEnd
            if name == "cert-authority" {
                if peek == "=" { throw error(at: index, "cert-authority takes no value") }
                signer.certificateAuthority = true
            } else {
                guard peek == "=" else { throw error(at: index, "\(name) needs a value in double quotes: \(name)=\"...\"") }
                index += 1
                let value = try quoted(name)
                switch name {
                case "namespaces":
                    let patterns = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    guard !patterns.contains(where: \.isEmpty) else { throw error(at: start, "namespaces has an empty entry: '\(value)'") }
                    signer.namespaces = patterns
                case "valid-after":
                    guard Self.isTime(value) else { throw error(at: start, Self.timeMessage(name, value)) }
                    signer.validAfter = value
                default:
                    guard Self.isTime(value) else { throw error(at: start, Self.timeMessage(name, value)) }
                    signer.validBefore = value
                }
            }
            if atEnd || isSpace(characters[index]) { return }
            guard peek == "," else { throw error(at: index, "expected ',' or a space after option '\(name)'") }
            index += 1
            if atEnd || isSpace(characters[index]) { throw error(at: index, "an option list cannot end with ','") }
        }
    }

    /// A double-quoted option value (backslash escapes a quote, as OpenSSH's `opt_dequote`).
    private mutating func quoted(_ name: String) throws(Diagnostic) -> String {
        guard peek == "\"" else { throw error(at: index, "the value of \(name) must be in double quotes: \(name)=\"...\"") }
        let start = index
        index += 1
        var value = ""
        while index < characters.count {
            let c = characters[index]
            if c == "\\", index + 1 < characters.count, characters[index + 1] == "\"" {
                value.append("\"")
                index += 2
                continue
            }
            if c == "\"" {
                index += 1
                return value
            }
            value.append(c)
            index += 1
        }
        throw error(at: start, "unterminated quote in the value of \(name)")
    }

    /// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally ending in `Z` (UTC).
    static func isTime(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.last == "Z" || digits.last == "z" { digits = digits.dropLast() }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return false }
        let n = digits.map { Int(String($0))! }
        func field(_ at: Int, _ width: Int) -> Int { n[at..<(at + width)].reduce(0) { $0 * 10 + $1 } }
        guard (1...12).contains(field(4, 2)), (1...31).contains(field(6, 2)) else { return false }
        if digits.count >= 12, field(8, 2) > 23 || field(10, 2) > 59 { return false }
        if digits.count == 14, field(12, 2) > 59 { return false }
        return true
    }

    static func timeMessage(_ name: String, _ value: String) -> String {
        "\(name)=\"\(value)\" is not a time: write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with a trailing Z for UTC"
    }

    /// The key type named inside a public key blob (a length-prefixed string at its start).
    static func blobType(_ blob: Data) -> String? {
        let bytes = [UInt8](blob)
        guard bytes.count >= 4 else { return nil }
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, bytes.count >= 4 + length, bytes.count > 4 + length else { return nil }
        return String(validating: bytes[4..<(4 + length)], as: UTF8.self)
    }

    // MARK: Characters

    private var atEnd: Bool { index >= characters.count }
    private var peek: Character? { atEnd ? nil : characters[index] }
    private func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" }

    private mutating func skipSpace() {
        while let c = peek, isSpace(c) { index += 1 }
    }

    /// The characters up to the next space.
    private mutating func token() -> String {
        let start = index
        while let c = peek, !isSpace(c) { index += 1 }
        return String(characters[start..<index])
    }

    private func error(at index: Int, _ message: String) -> Diagnostic {
        Diagnostic(SourceLocation(path: location.path, line: location.line, column: index + 1), message)
    }
}
