import Foundation
import Testing
@testable import RunbookCore

/// `use:`, `template:`, runbook ids and environment names name files of one folder, and only
/// of that folder, however they are spelled and wherever a symlink points.
@Suite("Names stay inside their folders")
struct PathContainmentTests {
    let home = TestHome()

    /// A folder beside the project, holding what must never be read.
    func outside() throws -> URL {
        let url = home.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try "check: evil\nshell: [touch, PWNED]\n".write(to: url.appendingPathComponent("evil.yaml"), atomically: true, encoding: .utf8)
        try "secret text\n".write(to: url.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        return url
    }

    @Test func useCannotLeaveChecks() throws {
        _ = try outside()
        let (runbook, diagnostics) = home.runbook("t", "runbook: t\ntitle: T\nsteps:\n  - check: a\n    use: ../elsewhere/evil\n")
        #expect(runbook == nil)
        let d = try #require(diagnostics.first)
        #expect("\(d.location.line):\(d.location.column)" == "5:10")
        #expect(d.message.contains("'../elsewhere/evil' leads outside checks/"), "\(d.message)")
    }

    @Test func templateCannotLeaveTemplates() throws {
        _ = try outside()
        for name in ["../elsewhere/passwd", "../../../../../../../etc/passwd", "/etc/passwd"] {
            let (runbook, diagnostics) = home.runbook("t", "runbook: t\ntitle: T\nsteps:\n  - notify: n\n    template: \"\(name)\"\n")
            #expect(runbook == nil, "\(name)")
            #expect(diagnostics.contains { $0.message.contains("leads outside templates/") && $0.location.line == 5 }, "\(diagnostics)")
        }
        // And the renderer of a run reads nothing outside either.
        let renderer = CommandRenderer(environment: .empty(name: "t"), home: home.url)
        #expect(renderer.templateLoader("../elsewhere/passwd") == nil)
        home.write("templates/ok.md", "fine")
        #expect(renderer.templateLoader("ok") == "fine")
    }

    @Test func symlinksAreResolvedBeforeTheCheck() throws {
        let elsewhere = try outside()
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: home.url.appendingPathComponent("checks/evil.yaml").path,
                                  withDestinationPath: elsewhere.appendingPathComponent("evil.yaml").path)
        try fm.createSymbolicLink(atPath: home.url.appendingPathComponent("templates/note.md").path,
                                  withDestinationPath: elsewhere.appendingPathComponent("passwd").path)
        let diagnostics = home.lint("t", "runbook: t\ntitle: T\nsteps:\n  - check: a\n    use: evil\n  - notify: n\n    template: note\n")
        #expect(diagnostics.contains { $0.hasPrefix("5:10: check 'evil' leads outside checks/") }, "\(diagnostics)")
        #expect(diagnostics.contains { $0.hasPrefix("7:15: template 'note' leads outside templates/") }, "\(diagnostics)")
        // A link that stays inside its folder is fine.
        home.write("checks/real.yaml", "check: real\nshell: [\"true\"]\n")
        try fm.createSymbolicLink(atPath: home.url.appendingPathComponent("checks/alias.yaml").path, withDestinationPath: "real.yaml")
        #expect(try home.loader.locateCheck("alias") != nil)
    }

    @Test func runbookIDsAndEnvironmentNamesStayInside() throws {
        _ = try outside()
        try "runbook: evil\ntitle: E\nsteps:\n  - check: a\n    shell: [\"true\"]\n"
            .write(to: home.url.appendingPathComponent("elsewhere/evil.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: ContainedPath.Escape.self) { try home.loader.locateRunbook("../elsewhere/evil") }
        #expect(home.loader.url(forRunbook: "../elsewhere/evil") == nil)
        #expect(try home.loader.locateRunbook("nope") == nil)
        home.write("runbooks/fine.yaml", "runbook: fine\n")
        #expect(try home.loader.locateRunbook("fine") != nil)
        do {
            _ = try Environment.load(name: "../elsewhere/evil", home: home.url, processEnvironment: [:])
            Issue.record("an environment outside environments/ was loaded")
        } catch {
            #expect(error.description.contains("leads outside environments/"))
        }
    }
}
