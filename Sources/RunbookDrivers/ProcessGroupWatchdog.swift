public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps a step's processes from outliving `runbook` itself. A small helper in its own
/// session (so neither Ctrl-C nor a dropped terminal reaches it) reads `+PGID` and `-PGID`
/// lines from a pipe whose only writer is this process. When the pipe reaches end of file —
/// `runbook` exited, crashed or was SIGKILLed, and the kernel closed its end — the helper
/// sends SIGTERM to every process group still registered, waits 2 s, then SIGKILLs them.
/// A normal exit leaves nothing registered, and the helper just ends.
public final class ProcessGroupWatchdog: Sendable {
    private let writeFD: Int32
    /// The helper's process id.
    public let pid: pid_t

    /// What the helper runs: bash, from Debian's base system.
    static let script = #"""
        declare -A groups
        while read -r op pgid; do
            [[ $pgid =~ ^[0-9]+$ ]] || continue
            if [[ $op == + ]]; then groups[$pgid]=1; else unset "groups[$pgid]"; fi
        done
        (( ${#groups[@]} )) || exit 0
        for g in "${!groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
        sleep 2
        for g in "${!groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
        exit 0
        """#

    /// glibc's `POSIX_SPAWN_SETSID` (not exported to Swift).
    static let spawnSetSID: Int32 = 0x80

    /// Starts the helper; nil when it cannot be started (the run then goes on without it).
    public init?(bash: String = "/bin/bash") {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        // Only this process may hold the write end: no step's child inherits it.
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Its own session: the terminal's SIGINT and SIGHUP do not reach it. Default signal
        // handling, whatever `runbook` ignores.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnSetSID | Int32(POSIX_SPAWN_SETSIGDEF)))
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(bash), strdup("-c"), strdup(Self.script), strdup("runbook-watchdog"), nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&child, bash, &actions, &attributes, argv, environ)
        close(fds[0])
        guard status == 0 else {
            close(fds[1])
            return nil
        }
        pid = child
        writeFD = fds[1]
        // Reap the helper when it ends, so it never lingers as a zombie of a long run.
        let helper = child
        Thread.detachNewThread { var s: Int32 = 0; _ = waitpid(helper, &s, 0) }
    }

    /// The step's process group is running: kill it if we die.
    public func register(_ processGroup: pid_t) { send("+ \(processGroup)\n") }

    /// The step's process group is done.
    public func unregister(_ processGroup: pid_t) { send("- \(processGroup)\n") }

    private func send(_ line: String) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
    }

    deinit { close(writeFD) }
}
