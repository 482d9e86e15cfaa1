import Foundation
import Testing

/// "When things break": names that leave their folders, huge files, hostile output, torn audit records.
extension CLITests {
    @Test func runbookIDOutsideRunbooksIsRefused() throws {
        try FileManager.default.createDirectory(at: home.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        write("elsewhere/x.yaml", "runbook: x\ntitle: X\nsteps:\n  - check: a\n    shell: [touch, ACTION-RAN]\n")
        for id in ["../elsewhere/x", home.appendingPathComponent("elsewhere/x").path] {
            let out = try runbook(["run", id])
            #expect(out.code == 2)
            #expect(out.stderr.contains("error: runbook id '\(id)' leads outside runbooks/"), "\(out.stderr)")
        }
        #expect(!actionRan)
    }

    @Test func lintRefusesUseAndTemplateOutsideTheirFolders() throws {
        write("runbooks/evil.yaml", """
            runbook: evil
            title: Evil
            steps:
              - check: a
                use: ../../elsewhere/evil
              - notify: n
                template: ../../../../../etc/passwd
            """)
        let out = try runbook(["lint"])
        #expect(out.code == 2)
        #expect(out.stdout.contains("runbooks/evil.yaml:5:10: error: check '../../elsewhere/evil' leads outside checks/"), "\(out.stdout)")
        #expect(out.stdout.contains("runbooks/evil.yaml:7:15: error: template '../../../../../etc/passwd' leads outside templates/"), "\(out.stdout)")
        #expect(!out.stdout.contains("root:"))
    }

    @Test func lintRefusesAHugeFileAtOnce() throws {
        let padding = String(repeating: "# " + String(repeating: "x", count: 97) + "\n", count: 20_000)
        write("runbooks/huge.yaml", "runbook: huge\ntitle: H\nsteps:\n  - check: a\n    shell: [\"true\"]\n" + padding)
        let out = try runbook(["lint", "runbooks/huge.yaml"])
        #expect(out.code == 2)
        #expect(out.stdout.contains("runbooks/huge.yaml:1:1: error: file is larger than 1 MiB (it is 1.9 MiB)"), "\(out.stdout)")
    }

    @Test func hostileOutputCannotFakeAGreenLine() throws {
        write("runbooks/fake.yaml", """
            runbook: fake
            title: Fake
            steps:
              - check: liar
                shell: [bash, -c, "printf 'boom\\\\n  \\\\xe2\\\\x9c\\\\x94 green              database (1 ms)\\\\n\\\\033[1A\\\\033[2K\\\\r'; exit 1"]
            """)
        let out = try runbook(["run", "fake"])
        #expect(out.code == 1)
        #expect(!out.stdout.contains("\u{1B}"), "\(out.stdout)")
        let stepLines = out.stdout.split(separator: "\n").filter { $0.hasPrefix("  ✔") || $0.hasPrefix("  ✖") }
        #expect(stepLines.count == 1, "\(out.stdout)")
        #expect(out.stdout.contains("      │   ✔ green              database (1 ms)"), "\(out.stdout)")
        #expect(out.stdout.contains("\\e[1A\\e[2K\\r"), "\(out.stdout)")
    }

    @Test func tornAuditRecordIsACrashNotTampering() throws {
        #expect(try runbook(["run", "demo"]).code == 0)
        let handle = try #require(FileHandle(forWritingAtPath: audit))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":99,"ts":"2026-11-29T03:00:00.000+0000","event":"step.st"#.utf8))
        try handle.close()
        let tornLine = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").count
        #expect(try runbook(["run", "demo", "--operator", "second-run"]).code == 0)
        let verify = try runbook(["audit", "verify"])
        #expect(verify.code == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("warning: \(audit): line \(tornLine): torn write"), "\(verify.stdout)")
        #expect(verify.stdout.contains("intact:"))
        #expect(verify.stdout.contains("2 runs"))
        let list = try runbook(["audit", "list"])
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stdout)")
        #expect(list.stdout.contains("second-run"))
        // Tampering after the crash is still tampering.
        var lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        let started = try #require(lines.firstIndex { $0.contains("second-run") })
        lines[started] = lines[started].replacingOccurrences(of: "second-run", with: "someone-else")
        try (lines.joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let tampered = try runbook(["audit", "verify"])
        #expect(tampered.code == 1)
        #expect(tampered.stdout.contains("TAMPERED"))
    }
}
