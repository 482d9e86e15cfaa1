import Foundation
import Synchronization
import Testing
@testable import RunbookCore

/// Nothing a step prints can colour the terminal, move the cursor or pass for a step line.
@Suite("Text reporter escapes what it shows")
struct TextReporterTests {
    final class Capture: Sendable {
        let text = Mutex("")
        var reporter: TextReporter { TextReporter(color: false) { s in self.text.withLock { $0 += s } } }
        var lines: [String] { text.withLock { $0 }.split(separator: "\n").map(String.init) }
    }

    @Test func controlCharactersAreWrittenOut() {
        #expect(TextReporter.escape("a\u{1B}[32mb\rc\u{7}d\te") == "a\\e[32mb\\rc\\u{7}d\te")
        #expect(TextReporter.escape("x\u{202E}y\u{9B}z\nw") == "x\\u{202E}y\\u{9B}z\\nw")
        #expect(TextReporter.escape("plain ✔ text") == "plain ✔ text")
    }

    @Test func outputCannotFakeAGreenStepLine() {
        let capture = Capture()
        let fake = "oops\n  ✔ green              database — all fine (1 ms)\n\u{1B}[2K\u{1B}[1A\r  ✔ green"
        var step = StepReport(id: "a", kind: .check, title: "Title\n  ✔ green   b", status: .red, durationMs: 3,
                              message: "failed:\n  ✔ green   c", excerpt: fake)
        step.result = .object([("stdout", .string(fake))])
        capture.reporter.stepFinished(step)
        let lines = capture.lines
        #expect(lines.filter { $0.hasPrefix("  ✔") }.isEmpty, "\(lines)")
        #expect(lines.first?.hasPrefix("  ✖ red") == true)
        #expect(lines.first?.contains("Title\\n  ✔ green   b") == true, "\(lines)")
        #expect(!capture.text.withLock { $0 }.contains("\u{1B}"))
        #expect(!capture.text.withLock { $0 }.contains("\r"))
        // Each line of the excerpt and of a multi-line message sits in the gutter.
        #expect(lines.contains("      │   ✔ green              database — all fine (1 ms)"), "\(lines)")
        #expect(lines.contains("      │   ✔ green   c"), "\(lines)")
        #expect(lines.contains("      │ \\e[2K\\e[1A\\r  ✔ green"), "\(lines)")
    }

    @Test func rowsWithNewlinesStayInTheGutter() {
        let capture = Capture()
        var step = StepReport(id: "rows", kind: .check, title: "rows", status: .yellow)
        step.result = .object([("rows", .list([.object([("error_message", .string("bad\n  ✔ green fake\u{1B}[0m"))])]))])
        capture.reporter.stepFinished(step)
        #expect(capture.lines.dropFirst().allSatisfy { $0.hasPrefix("      │ ") }, "\(capture.lines)")
        #expect(!capture.text.withLock { $0 }.contains("\u{1B}"))
    }
}
