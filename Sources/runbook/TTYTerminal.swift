import Foundation
import RunbookCore

#if canImport(Glibc)
import Glibc
#endif

/// Asks on the controlling terminal (`/dev/tty`), so piped output does not hide the question.
struct TTYTerminal: GateTerminal {
    func ask(_ prompt: String) async -> String? {
        guard let tty = fopen("/dev/tty", "r+") else { return nil }
        defer { fclose(tty) }
        fputs(prompt, tty)
        fflush(tty)
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), tty) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return line.trimmingCharacters(in: .newlines)
    }

    static var available: Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        guard let tty = fopen("/dev/tty", "r+") else { return false }
        fclose(tty)
        return true
    }
}
