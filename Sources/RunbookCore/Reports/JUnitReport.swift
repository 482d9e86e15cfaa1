/// `--junit FILE`: a testsuite per run, a testcase per step. Red checks, failed actions and
/// declined gates are `<failure>`s; checks in `error` are `<error>`s; skipped, planned and
/// awaiting-approval steps are `<skipped>`. Every step is a testcase, including a red check
/// that a later `same-as` re-run superseded: it stays a failure here although the run's status
/// and exit code no longer count it.
public enum JUnitReport {
    /// The whole XML document. Times are in seconds with three decimals; `timestamp` is the run's
    /// start; each testcase carries the command, message and excerpt as its detail.
    public static func render(_ report: RunReport) -> String {
        let failures = report.steps.filter { $0.status.isFailure }.count
        let errors = report.steps.filter { $0.status == .error }.count
        let skipped = report.steps.filter { [.skipped, .planned, .awaitingApproval].contains($0.status) }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"runbook\" tests=\"\(report.steps.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(report.durationMs))\">\n"
        out += "  <testsuite name=\"\(escape(report.runbook))\" tests=\"\(report.steps.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(seconds(report.durationMs))\" timestamp=\"\(AuditLog.timestamp(report.startedAt))\">\n"
        out += "    <properties>\n"
        for (k, v) in [("run_id", report.runID), ("environment", report.environment), ("mode", report.mode), ("status", report.status.rawValue)] {
            out += "      <property name=\"\(k)\" value=\"\(escape(v))\"/>\n"
        }
        out += "    </properties>\n"
        for step in report.steps {
            out += "    <testcase classname=\"\(escape(report.runbook))\" name=\"\(escape(step.id))\" time=\"\(seconds(step.durationMs))\">\n"
            let detail = [step.command.map { "command: \($0)" }, step.message, step.excerpt].compactMap { $0 }.joined(separator: "\n")
            switch step.status {
            case .red, .failed, .declined:
                out += "      <failure message=\"\(escape(step.title)): \(step.status.rawValue)\(step.message.map { " — " + escape($0) } ?? "")\" type=\"\(step.status.rawValue)\">\(escape(detail))</failure>\n"
            case .error:
                out += "      <error message=\"\(escape(step.title)): \(escape(step.message ?? "could not run"))\" type=\"error\">\(escape(detail))</error>\n"
            case .skipped, .planned, .awaitingApproval:
                out += "      <skipped message=\"\(step.status.rawValue)\(step.message.map { ": " + escape($0) } ?? "")\"/>\n"
            default:
                if !detail.isEmpty { out += "      <system-out>\(escape(detail))</system-out>\n" }
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func seconds(_ ms: Int) -> String { String(format: "%.3f", Double(ms) / 1000) }

    /// Text made safe inside an XML attribute or element.
    public static func escapeXML(_ s: String) -> String { escape(s) }

    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case let c where c.value < 0x20 && c != "\n" && c != "\t" && c != "\r": out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

import Foundation
