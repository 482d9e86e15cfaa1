import Foundation
import Testing
@testable import RunbookCore

/// Runbook, check and environment files over the size limit are refused before they are read.
@Suite("File size limit")
struct SourceFileLimitTests {
    let home = TestHome()

    /// A valid runbook padded with comments to just over 1 MiB.
    func huge(_ head: String) -> String {
        head + String(repeating: "# padding padding padding padding padding padding padding padding\n", count: (SourceFile.sizeLimit / 65) + 1)
    }

    @Test func bigRunbookIsOneClearError() {
        let diagnostics = home.lint("big", huge("runbook: big\ntitle: B\nsteps:\n  - check: a\n    shell: [\"true\"]\n"))
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("1:1: file is larger than 1 MiB (it is 1.0 MiB)") == true, "\(diagnostics)")
    }

    @Test func bigCheckAndEnvironmentAreRefused() {
        home.write("checks/big.yaml", huge("check: big\nshell: [\"true\"]\n"))
        let check = home.loader.loadCheck(at: home.url.appendingPathComponent("checks/big.yaml"))
        #expect(check.diagnostics.first?.message.hasPrefix("file is larger than 1 MiB") == true)
        let diagnostics = home.lint("t", "runbook: t\ntitle: T\nsteps:\n  - check: a\n    use: big\n")
        #expect(diagnostics.contains { $0.contains("check 'big' has errors") && $0.contains("larger than 1 MiB") }, "\(diagnostics)")
        home.write("environments/big.yaml", huge("environment: big\n"))
        #expect(throws: DiagnosticsError.self) { try Environment.load(name: "big", home: home.url, processEnvironment: [:]) }
    }

    @Test func aFileAtTheLimitIsRead() {
        let head = "runbook: edge\ntitle: E\nsteps:\n  - check: a\n    shell: [\"true\"]\n"
        let text = head + "#" + String(repeating: "x", count: SourceFile.sizeLimit - head.utf8.count - 2) + "\n"
        #expect(text.utf8.count == SourceFile.sizeLimit)
        #expect(home.lint("edge", text).isEmpty)
    }
}
