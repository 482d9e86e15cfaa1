import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who is running: `--operator`, `$RUNBOOK_OPERATOR`, else the login name.
public func operatorName(_ flag: String?) -> String {
    if let flag, !flag.isEmpty { return flag }
    let env = ProcessInfo.processInfo.environment
    if let o = env["RUNBOOK_OPERATOR"], !o.isEmpty { return o }
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return env["USER"] ?? "unknown"
}
