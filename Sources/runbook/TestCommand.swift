import ArgumentParser
import Foundation
import RunbookCore

/// `runbook test [ID...] [--coverage] [--junit FILE]`: each runbook's cases
/// (`runbook-tests/<id>.yaml`) through the real executor with fixture drivers.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run runbooks' test cases (runbook-tests/<id>.yaml) with fixtures: no database, API or process; exit 1 when a case fails.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "Runbook ids (default: every runbook).")
    var ids: [String] = []

    @Flag(name: .customLong("coverage"), help: "Also list every when and thresholds rule no case made both true and false; exit 1 when one is left.")
    var coverage = false

    @Option(name: .customLong("junit"), help: "Also write a JUnit XML report to this file.")
    var junit: String?

    func run() async throws {
        let clock = ContinuousClock()
        let t0 = clock.now
        let outcomes = await RunbookTestSuite(home: home.home).run(ids)
        let elapsed = clock.now - t0
        var out = ""
        var invalid = false
        var failed = 0
        var total = 0
        for outcome in outcomes {
            if !outcome.diagnostics.isEmpty {
                invalid = true
                out += "\(outcome.runbook): invalid\n"
                for d in outcome.diagnostics { out += "  \(d)\n" }
                continue
            }
            guard let path = outcome.testPath else {
                out += "\(outcome.runbook): no tests (runbook-tests/\(outcome.runbook).yaml)\n"
                if !ids.isEmpty { failed += 1 }
                continue
            }
            out += "\(outcome.runbook) (\(path))\n"
            for c in outcome.cases {
                total += 1
                if c.passed {
                    out += "  ok    \(c.name)\n"
                } else {
                    failed += 1
                    out += "  FAIL  \(c.name)  (\(c.location))\n"
                    for f in c.failures { out += "        \(f)\n" }
                }
            }
        }
        var uncovered = 0
        if coverage {
            out += "\n" + Self.coverageTable(outcomes)
            uncovered = outcomes.compactMap(\.coverage).flatMap(\.rules).filter { !$0.covered }.count
        }
        let ms = Double(elapsed.milliseconds)
        out += "\n\(total) case\(total == 1 ? "" : "s"), \(failed) failed, \(outcomes.count) runbook\(outcomes.count == 1 ? "" : "s")"
            + (coverage ? ", \(uncovered) rule\(uncovered == 1 ? "" : "s") uncovered" : "") + ", in \(String(format: "%.0f", ms)) ms\n"
        StandardStreams.out(out)
        if let junit {
            do { try Self.junit(outcomes).write(toFile: junit, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure(.usage, "error: cannot write \(junit): \(error.localizedDescription)")
            }
        }
        if invalid { throw CommandFailure(.usage) }
        if failed > 0 || uncovered > 0 { throw CommandFailure(.failed) }
    }

    /// One line per runbook (rules, covered), then every rule missing a way, with its place.
    static func coverageTable(_ outcomes: [RunbookTestSuite.Outcome]) -> String {
        let rows = outcomes.compactMap(\.coverage)
        let width = max(8, rows.map(\.runbook.count).max() ?? 0)
        var out = "coverage".padding(toLength: width, withPad: " ", startingAt: 0) + "  rules  covered\n"
        for c in rows {
            out += c.runbook.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "  %5d  %7d", c.rules.count, c.coveredCount) + (c.complete ? "" : "  INCOMPLETE") + "\n"
        }
        for c in rows {
            for rule in c.rules where !rule.covered {
                out += "  \(rule.location): \(c.runbook): step '\(rule.step)' \(rule.key) '\(rule.source)': \(rule.missing)\n"
            }
        }
        return out
    }

    /// A testsuite per runbook, a testcase per case; failures carry every difference.
    static func junit(_ outcomes: [RunbookTestSuite.Outcome]) -> String {
        func esc(_ s: String) -> String { JUnitReport.escapeXML(s) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"runbook test\">\n"
        for o in outcomes {
            let failures = o.cases.filter { !$0.passed }.count
            out += "  <testsuite name=\"\(esc(o.runbook))\" tests=\"\(o.cases.count)\" failures=\"\(failures)\" errors=\"\(o.diagnostics.isEmpty ? 0 : 1)\">\n"
            if !o.diagnostics.isEmpty {
                out += "    <testcase classname=\"\(esc(o.runbook))\" name=\"load\">\n      <error message=\"invalid\">\(esc(o.diagnostics.map(\.description).joined(separator: "\n")))</error>\n    </testcase>\n"
            }
            for c in o.cases {
                out += "    <testcase classname=\"\(esc(o.runbook))\" name=\"\(esc(c.name))\" time=\"\(String(format: "%.6f", Double(c.microseconds) / 1_000_000))\">\n"
                if !c.passed {
                    out += "      <failure message=\"\(esc(c.failures.first ?? ""))\">\(esc(c.failures.joined(separator: "\n")))</failure>\n"
                }
                out += "    </testcase>\n"
            }
            if let coverage = o.coverage {
                for rule in coverage.rules where !rule.covered {
                    out += "    <testcase classname=\"\(esc(o.runbook)).coverage\" name=\"\(esc(rule.step)) \(esc(rule.key))\">\n      <failure message=\"\(esc(rule.missing))\">\(esc(rule.location.description))</failure>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
