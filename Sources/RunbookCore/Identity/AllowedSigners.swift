public import Foundation

/// An OpenSSH `allowed_signers` file, the list of operators an environment trusts
/// (`identity: {allowed_signers: PATH}`): each line maps principal patterns to a public key.
///
/// The file is parsed here only to refuse a broken one early, with `path:line:col: error:`
/// diagnostics, and to list its principals. Whether a signature is good is decided by
/// `ssh-keygen -Y verify` against the same file.
public struct AllowedSigners: Sendable {
    /// The file, as diagnostics show it.
    public var path: String
    /// Its signer lines, in file order.
    public var signers: [AllowedSigner]

    /// A parsed file.
    public init(path: String, signers: [AllowedSigner]) {
        self.path = path
        self.signers = signers
    }

    /// Every principal pattern of the file, once each, in file order.
    public var principals: [String] {
        var seen = Set<String>()
        return signers.flatMap(\.principals).filter { seen.insert($0).inserted }
    }

    /// Parses the text of an allowed_signers file. Blank lines and `#` comments are skipped;
    /// a line that OpenSSH would reject (or that lists no key) is an error at its line and
    /// column, and so is a file that lists no signer at all.
    public static func parse(_ text: String, path: String) throws(DiagnosticsError) -> AllowedSigners {
        var signers: [AllowedSigner] = []
        var diagnostics: [Diagnostic] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var content = Substring(line)
            if content.last == "\r" { content = content.dropLast() }
            var parser = AllowedSignersLineParser(line: content, location: SourceLocation(path: path, line: number, column: 1))
            switch parser.parse() {
            case .success(let signer?): signers.append(signer)
            case .success(nil): continue
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        if diagnostics.isEmpty, signers.isEmpty {
            diagnostics.append(Diagnostic(SourceLocation(path: path, line: 1, column: 1),
                                          "the allowed_signers file lists no signer: nobody could be named by a key"))
        }
        guard diagnostics.isEmpty else { throw DiagnosticsError(diagnostics) }
        return AllowedSigners(path: path, signers: signers)
    }

    /// Reads and parses the file at `url`; `path` is how diagnostics name it.
    public static func load(_ url: URL, path: String) throws(DiagnosticsError) -> AllowedSigners {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DiagnosticsError([Diagnostic(SourceLocation(path: path, line: 1, column: 1), "no such allowed_signers file")])
        }
        switch SourceFile.read(url, path: path) {
        case .success(let file): return try parse(file.text, path: path)
        case .failure(let diagnostic): throw DiagnosticsError([diagnostic])
        }
    }
}
