import Foundation

/// POSIX shell quoting, for showing argv as a line someone could paste.
public enum ShellQuote {
    /// `arg` as one shell word: as is when it holds only safe characters, else single-quoted
    /// (`''` for the empty string).
    public static func quote(_ arg: String) -> String {
        if arg.isEmpty { return "''" }
        let safe = arg.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0) }
        if safe { return arg }
        return "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
