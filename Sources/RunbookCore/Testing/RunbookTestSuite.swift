public import Foundation

/// `runbook test`: finds each runbook's test file, loads and validates both, runs the cases and
/// measures coverage. Returns everything found; the CLI only prints it.
public struct RunbookTestSuite {
    /// One runbook's outcome.
    public struct Outcome: Sendable {
        /// The runbook id.
        public var runbook: String
        /// Its test file, when it has one.
        public var testPath: String?
        /// Problems that make the runbook or its tests invalid (exit 2): nothing ran.
        public var diagnostics: [Diagnostic]
        /// The cases that ran.
        public var cases: [RunbookTestCaseResult]
        /// What the cases proved of its conditions (nil when nothing could run).
        public var coverage: RunbookCoverage?
    }

    /// The project home.
    public let home: URL

    /// A suite for the project at `home`.
    public init(home: URL) { self.home = home }

    /// Runs the tests of `ids` (every runbook of `runbooks/` when empty). An id with no runbook
    /// is a diagnostic.
    public func run(_ ids: [String]) async -> [Outcome] {
        let loader = RunbookLoader(home: home)
        let tests = RunbookTestLoader(home: home)
        let wanted = ids.isEmpty ? loader.runbookFiles().map(\.id) : ids
        var environments: [String: Result<Environment, DiagnosticsError>] = [:]
        let escalation: Escalation?
        var shared: [Diagnostic] = []
        do { escalation = try Escalation.load(home: home) } catch {
            escalation = nil
            shared = error.diagnostics
        }
        var outcomes: [Outcome] = []
        for id in wanted {
            var outcome = Outcome(runbook: id, testPath: nil, diagnostics: shared, cases: [], coverage: nil)
            defer { outcomes.append(outcome) }
            guard let url = loader.url(forRunbook: id) else {
                let known = loader.runbookFiles().map(\.id)
                outcome.diagnostics.append(Diagnostic(SourceLocation(path: "runbooks/\(id).yaml", line: 1, column: 1),
                                                      "no runbook '\(id)'\(Suggest.didYouMean(id, in: known))"))
                continue
            }
            let (loaded, runbookDiagnostics) = loader.loadRunbook(at: url)
            outcome.diagnostics += runbookDiagnostics.filter { $0.severity == .error }
            guard let runbook = loaded else { continue }
            let recorder = CoverageRecorder()
            guard let testURL = tests.url(forRunbook: id) else {
                outcome.coverage = RunbookCoverage(runbook: runbook, recorder: recorder)
                continue
            }
            let testPath = loader.relativePath(testURL)
            outcome.testPath = testPath
            let (file, testDiagnostics) = tests.load(at: testURL, path: testPath)
            outcome.diagnostics += testDiagnostics
            guard let file else { continue }
            outcome.diagnostics += RunbookTestRunner.validate(file, against: runbook)
            let environment = environments[file.environment] ?? Result { () throws(DiagnosticsError) -> Environment in
                try Environment.load(name: file.environment, home: home, processEnvironment: [:])
            }
            environments[file.environment] = environment
            // Fixtures stand in for the database and the API, so a project without the default
            // environment file tests with an empty one (a step reading `env.` then says so).
            var resolved = environment
            if case .failure(let error) = environment, error.diagnostics.count == 1, error.diagnostics[0].message.hasPrefix("no environment"),
               !file.environmentNamed
            {
                resolved = .success(.empty(name: file.environment))
            }
            switch resolved {
            case .failure(let error): outcome.diagnostics += error.diagnostics
            case .success(let env):
                guard outcome.diagnostics.isEmpty else { continue }
                outcome.cases = await RunbookTestRunner(home: home).run(file, runbook: runbook, environment: env, escalation: escalation,
                                                                       recorder: recorder)
                outcome.coverage = RunbookCoverage(runbook: runbook, recorder: recorder)
            }
        }
        return outcomes
    }
}
