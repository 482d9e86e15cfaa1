extension FormatSchema {
    /// One fixture: what a step sees in a `runbook test` case.
    public static let fixtureAttempt = SchemaObject("What the step sees: SQL rows, an HTTP answer, a process's output, or an error; {} is what its kind answers when all is well.", [
        SchemaKey("rows", .list(.map(.any)), "SQL: the rows, each a mapping of column to value (every column the thresholds read).",
                  examples: [.list([.object([("error_rate", .double(12.5)), ("finished", 40)])])]),
        SchemaKey("row_count", .integer(0...Int.max), "SQL: how many rows the statement counted (default: the rows listed)."),
        SchemaKey("status", .integer(100...599), "HTTP: the status (default 200).", examples: [503]),
        SchemaKey("body", .string(), "HTTP: the body as text."),
        SchemaKey("json", .any, "HTTP: the body as JSON (result.json).", examples: [.object([("status", "ok")])]),
        SchemaKey("headers", .map(.any), "HTTP: response headers."),
        SchemaKey("exit", .integer(), "Shell: the exit code (default 0)."),
        SchemaKey("stdout", .string(), "Shell: standard output (result.json when it is one JSON document)."),
        SchemaKey("stderr", .string(), "Shell: standard error."),
        SchemaKey("error", .string(values: RunbookTestLoader.errorCodes.map(\.0)), "The step could not run: unreachable and timeout give a check its `unreachable:` colour."),
        SchemaKey("message", .string(), "With error: the driver's message."),
    ])

    /// A fixture: one answer, a word for an error, or one answer per attempt (a retrying check).
    public static let fixture: SchemaType = .anyOf([
        .string(values: RunbookTestLoader.errorCodes.map(\.0)),
        .object(fixtureAttempt),
        .object(SchemaObject("One answer per attempt of a retrying check; the last repeats.", [
            SchemaKey("attempts", .list(.anyOf([.string(values: RunbookTestLoader.errorCodes.map(\.0)), .object(fixtureAttempt)]), minItems: 1),
                      "The answers, attempt by attempt.", required: true),
        ])),
    ])

    /// `expect:` of a case.
    public static let testExpect = SchemaObject("The verdict the run must reach; only what is named is compared.", [
        SchemaKey("exit", .integer(), "The exit code (0 green/yellow, 1 red or failed action, 2 invalid, 3 gate, 4 could not run).", examples: [1]),
        SchemaKey("status", .string(values: RunbookTestLoader.runStatuses), "The run's colour."),
        SchemaKey("steps", .map(.string(values: ["green", "yellow", "red", "error", "skipped"] + ActionStatus.allCases.map(\.rawValue))),
                  "Each named step's status.", examples: [.object([("error-rate", "red"), ("reprocess-transient-failures", "planned")])]),
        SchemaKey("notify", .map(.stringOrList), "Texts each named notify step's rendered message contains."),
    ])

    /// One case.
    public static let testCase = SchemaObject("One case: fixtures and the verdict expected.", [
        SchemaKey("case", .string(), "The case's name, unique in the file.", examples: ["rate-just-above-red-limit"], required: true),
        SchemaKey("description", .string(), "What the case proves."),
        SchemaKey("mode", .string(values: ["dry-run", "live"]), "dry-run (default) plans actions; live passes every gate and performs them against their fixtures."),
        SchemaKey("inputs", .map(.any), "Inputs, as --input NAME=VALUE would give them."),
        SchemaKey("fixtures", .map(.ref("fixture")), "What each step sees, by step id, on top of the file's fixtures."),
        SchemaKey("expect", .object(testExpect), "The verdict.", required: true),
    ])

    /// `runbook-tests/<runbook-id>.yaml`.
    public static let runbookTest = SchemaObject("A runbook's test cases: runbook-tests/<runbook-id>.yaml (runbook test).", [
        SchemaKey("runbook", .string(), "The runbook under test, equal to the file name.", examples: ["scenario-2-high-error-rate"]),
        SchemaKey("environment", .string(), "The environment whose values env. reads (default sandbox), loaded without process variables."),
        SchemaKey("fixtures", .map(.ref("fixture")), "What each step sees in every case, by step id."),
        SchemaKey("cases", .list(.object(testCase), minItems: 1), "The cases.", required: true),
    ])

    /// The definitions of the test format.
    public static let testDefinitions: [(String, SchemaType)] = [("fixture", fixture)]
}
