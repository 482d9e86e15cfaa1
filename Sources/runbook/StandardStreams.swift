import Foundation
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output or error with `write(2)`: a closed pipe (`| head`, a dropped
/// terminal) ends the writing, never the process (SIGPIPE is ignored at start, EPIPE is
/// handled here), so the run goes on to record its end in the audit log.
enum StandardStreams {
    /// Ignores SIGPIPE for the whole process: a write to a closed pipe fails with EPIPE instead.
    static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Standard output; on the runner, the served command's answer (``ServedCommand``).
    static func out(_ text: String) {
        if let served = ServedCommand.current { served.emit(.out(text)) } else { write(text, to: STDOUT_FILENO) }
    }

    /// Standard error; on the runner, the served command's answer.
    static func err(_ text: String) {
        if let served = ServedCommand.current { served.emit(.err(text)) } else { write(text, to: STDERR_FILENO) }
    }

    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return  // EPIPE, EBADF...: nobody is reading; the run goes on.
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
