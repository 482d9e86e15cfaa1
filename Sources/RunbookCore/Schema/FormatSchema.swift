/// The project's file formats as one declarative table: the runbook loader's unknown-key
/// checks read the key names from here, and `runbook schema` writes JSON Schema from the same
/// table, so a key the loader accepts is a key the schema describes.
public enum FormatSchema {
    // MARK: Steps

    /// Keys every step may have.
    public static let commonStep: [SchemaKey] = [
        SchemaKey("title", .string(), "What the step is, as reports show it (default: its id).", examples: ["Taxa de erro na janela"]),
        SchemaKey("description", .string(), "Free text for `runbook show`: why the step exists, what its colours mean."),
        SchemaKey("when", .expression, "The step is considered only when this holds; otherwise it is skipped.",
                  examples: ["steps.error-rate.status == \"red\""]),
        SchemaKey("timeout", .duration, "Stop the step after this long (checks default to 60s, notify steps 30s, actions 10m).", examples: ["30s", "2m"]),
        SchemaKey("continue-on-failure", .boolean, "Keep going after this step fails (a failed action otherwise stops the run)."),
    ]

    /// The keys that say what a step runs; a step has exactly one.
    public static let drivers: [SchemaKey] = [
        SchemaKey("shell", .list(.template, minItems: 1), "A process to start, as argv (no shell in between); each element may interpolate ${{ }} and stays one argument.",
                  examples: [.list(["grep", "-c", "ERROR", "${{ env.logs }}/etl-service.log"])]),
        SchemaKey("command", .string(), "The name of an argv list in the environment's `commands:`.", examples: ["service_restart"]),
        SchemaKey("sql", .string(), "One SQL statement; values are `:name` placeholders given in `params:` (bind parameters, never spliced). A check's SQL runs read-only.",
                  examples: ["SELECT count(*) AS pending FROM etl_file WHERE status = 'uploaded'"]),
        SchemaKey("http", .ref("http"), "An HTTP request (a check may only GET or HEAD)."),
        SchemaKey("template", .string(), "A notify step's message: the name of a file in templates/.", examples: ["incident-update"]),
        SchemaKey("use", .string(), "A reusable check from checks/<id>.yaml, given its inputs with `with:`.", examples: ["api-health"]),
        SchemaKey("same-as", .string(), "Repeat an earlier step of this runbook (a check after a repair supersedes the first result).", examples: ["error-rate"]),
    ]

    /// Keys of shell steps.
    public static let shellOptions: [SchemaKey] = [
        SchemaKey("args", .list(.template), "Arguments appended to a `command:` argv."),
        SchemaKey("cwd", .template, "The folder the process runs in (relative to the project folder)."),
        SchemaKey("env", .map(.template), "Variables set for the process.", examples: [.object([("PATTERN", "${{ inputs.pattern }}")])]),
        SchemaKey("nagios", .boolean, "Read the exit code as a Nagios plugin's: 0 green, 1 yellow, 2 red, else error."),
        SchemaKey("stdin", .template, "Text for the process's standard input."),
    ]

    /// Keys of SQL steps.
    public static let sqlOptions: [SchemaKey] = [
        SchemaKey("params", .map(.expression), "A value for each `:name` of the SQL, sent as a bind parameter.",
                  examples: [.object([("window_hours", "inputs.window_hours")])]),
        SchemaKey("max-rows", .integer(1...Int.max), "The most rows kept in result.rows (default 1000)."),
        SchemaKey("database", .string(values: ["etl", "ledger"]),
                  "Which of the environment's databases: database.url (etl, the default) or the team's ledger, ledger.url (read-only; checks only)."),
    ]

    /// Keys only checks have.
    public static let checkOnly: [SchemaKey] = [
        SchemaKey("thresholds", .ref("thresholds"), "The check's colour from its result: the first that holds wins; none holding is green."),
        SchemaKey("retry", .ref("retry"), "Repeat the check (live runs) until a condition holds."),
        SchemaKey("with", .map(.expression), "Inputs of the reusable check named by `use:`, as expressions.",
                  examples: [.object([("window_hours", "inputs.window_hours")])]),
        SchemaKey("unreachable", .string(values: ["yellow", "red", "error"]), "The colour when the target cannot be reached (default error)."),
    ]

    /// Keys only actions have (notify steps may also have risk and confirm).
    public static let actionOnly: [SchemaKey] = [
        SchemaKey("risk", .string(values: ["low", "medium", "high"]), "The gate: low and medium ask y/N (and pass with --yes); high asks to type the action id."),
        SchemaKey("confirm", .template, "The question asked at the gate; required for actions.", examples: ["Reprocessar os arquivos das últimas ${{ inputs.window_hours }}h?"]),
        SchemaKey("undo", .string(), "How what the action deletes is brought back (SQL that deletes needs risk: high without it)."),
        SchemaKey("approvals", .integer(1...9), "At least this many second persons approve it in an environment with an approval policy."),
    ]

    /// Keys only notify steps have.
    public static let notifyOnly: [SchemaKey] = [
        SchemaKey("channel", .stringOrList, "The channels it posts to: log, stdout, or names from the environment's notify.channels.", examples: [.list(["log", "incident"])]),
    ]

    /// A step of each kind: its kind key first.
    public static func step(_ kind: Step.Kind) -> SchemaObject {
        let shared = commonStep + drivers + shellOptions + sqlOptions
        switch kind {
        case .check:
            return SchemaObject("A read-only diagnostic: runs in a dry run too; green, yellow or red.",
                                [SchemaKey("check", .string(), "The step id, unique in the runbook: lower-case letters, digits, - and _.", examples: ["error-rate"], required: true)]
                                    + shared + checkOnly)
        case .action:
            return SchemaObject("A change to the world: gated, never run by a dry run.",
                                [SchemaKey("action", .string(), "The step id, unique in the runbook.", examples: ["reprocess-transient-failures"], required: true)]
                                    + shared + actionOnly)
        case .notify:
            return SchemaObject("A message rendered from a template and posted to channels (only shown in a dry run).",
                                [SchemaKey("notify", .string(), "The step id, unique in the runbook.", examples: ["incident-update"], required: true)]
                                    + shared + notifyOnly + actionOnly.filter { ["risk", "confirm"].contains($0.name) })
        }
    }

    // MARK: Shared shapes

    /// `http:` of a step.
    public static let http = SchemaObject("An HTTP request.", [
        SchemaKey("method", .string(values: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]), "The method (default GET)."),
        SchemaKey("url", .template, "An absolute http(s) URL; interpolated values are percent-encoded.", examples: ["${{ env.api.url }}/health"], required: true),
        SchemaKey("headers", .map(.template), "Request headers."),
        SchemaKey("query", .map(.template), "Query parameters appended to the URL, percent-encoded."),
        SchemaKey("json", .any, "A JSON body (strings may interpolate ${{ }})."),
        SchemaKey("auth", .string(values: ["bearer"]), "Send the environment's api.token as a bearer token."),
        SchemaKey("expect", .object(httpExpect), "What counts as success (default any 2xx)."),
        SchemaKey("follow-redirects", .boolean, "Follow redirects (the token never goes to another origin)."),
    ])

    /// `http.expect`.
    public static let httpExpect = SchemaObject("What counts as success.", [
        SchemaKey("status", .anyOf([.integer(), .list(.integer())]), "A status code or a list of them.", examples: [202]),
    ])

    /// `thresholds:`.
    public static let thresholds = SchemaObject("Colour rules, evaluated with `result` bound to the step's result.", [
        SchemaKey("red", .expression, "Red when this holds.", examples: ["result.rows[0].error_rate > 10"]),
        SchemaKey("yellow", .expression, "Yellow when this holds (and red did not).", examples: ["result.rows[0].error_rate >= 5"]),
        SchemaKey("green", .expression, "Green when this holds (rarely needed: none holding is green)."),
    ])

    /// `retry:`.
    public static let retry = SchemaObject("Repeat a check until a condition holds (live runs; a dry run tries once).", [
        SchemaKey("until", .expression, "Stop retrying when this holds.", examples: ["result.rows[0].error_rate < 5"], required: true),
        SchemaKey("every", .duration, "The pause between attempts (default 10s).", examples: ["2s"]),
        SchemaKey("for", .duration, "How long to keep trying, from the step's start (default 5m); then a green or yellow result turns red.", examples: ["2m"]),
    ])

    /// One input of a runbook or check.
    public static let input = SchemaObject("An input, given with --input NAME=VALUE.", [
        SchemaKey("type", .string(values: InputSpec.Kind.allCases.map(\.rawValue)), "The input's type.", examples: ["int"], required: true),
        SchemaKey("default", .any, "The value when none is given (an input without one is required)."),
        SchemaKey("required", .boolean, "The run needs it (the default for inputs without a default)."),
        SchemaKey("description", .string(), "What it is."),
        SchemaKey("values", .stringOrList, "The words an enum input may be."),
        SchemaKey("secret", .boolean, "Redact its value everywhere (output, audit, ledger)."),
    ])

    /// `schedule:` of a runbook.
    public static let schedule = SchemaObject("When the runbook runs by itself (runbook schedule export).", [
        SchemaKey("calendar", .string(), "systemd's calendar notation.", examples: ["Mon *-*-* 06:00"], required: true),
        SchemaKey("timezone", .string(), "An IANA time zone (default UTC).", examples: ["America/Sao_Paulo"]),
    ])

    /// One entry of a runbook's `triggers:` (docs/alerts.md).
    public static let trigger = SchemaObject("An Alertmanager alert this runbook answers: its diagnosis runs when the alert fires.", [
        SchemaKey("alert", .string(), "The alert's name, as a rule of alerts/*.rules.yaml spells it.", examples: ["EtlHighErrorRate"], required: true),
        SchemaKey("matchers", .map(.string()), "Labels the alert must carry, with exactly these values.", examples: [.object([("severity", "critical")])]),
        SchemaKey("inputs", .map(.string()), "Inputs of the runbook taken from the alert's labels: input name to label name.",
                  examples: [.object([("red_at", "dlq_threshold")])]),
    ])

    // MARK: Files

    /// `runbooks/<id>.yaml`.
    public static let runbook = SchemaObject("A runbook: runbooks/<id>.yaml.", [
        SchemaKey("runbook", .string(), "The runbook's id, equal to the file name.", examples: ["scenario-2-high-error-rate"], required: true),
        SchemaKey("title", .string(), "What the runbook is for.", examples: ["Cenário 2: Taxa de erro alta (>10%)"], required: true),
        SchemaKey("description", .string(), "What it checks, what it repairs, and when to use it."),
        SchemaKey("severity", .string(values: ["P1", "P2", "P3", "P4"]), "The incident severity it is for (default P3)."),
        SchemaKey("owner", .string(), "The team that owns it.", examples: ["etl-team"]),
        SchemaKey("tags", .stringOrList, "Labels: incident, daily, maintenance...", examples: [.list(["incident"])]),
        SchemaKey("schedule", .object(schedule), "When it runs by itself."),
        SchemaKey("triggers", .list(.object(trigger)), "The alerts of alerts/*.rules.yaml this runbook answers (runbook alerts coverage)."),
        SchemaKey("inputs", .map(.object(input)), "Values given with --input NAME=VALUE.", examples: [.object([("window_hours", .object([("type", "int"), ("default", 4)]))])]),
        SchemaKey("steps", .list(.ref("step"), minItems: 1), "The steps, in order.", required: true),
    ])

    /// `checks/<id>.yaml`: a step's keys plus its own inputs.
    public static let checkFile: SchemaObject = {
        let allowed = ["title", "description", "timeout", "thresholds", "retry", "unreachable", "shell", "command", "sql", "http",
                       "args", "cwd", "env", "nagios", "stdin", "params", "max-rows"]
        let stepKeys = step(.check).keys
        let body = allowed.compactMap { name in stepKeys.first { $0.name == name } }
        return SchemaObject("A reusable check: checks/<id>.yaml, used by steps with `use:`.",
                            [SchemaKey("check", .string(), "The check's id, equal to the file name.", examples: ["error-rate"], required: true),
                             SchemaKey("inputs", .map(.object(input)), "The check's inputs, given by a step's `with:`.")] + body)
    }()

    /// `environments/<name>.yaml`: the keys the engine reads; any other key is a value runbooks
    /// read as `env.<key>`.
    public static let environment = SchemaObject("Where things are for one environment: environments/<name>.yaml. Values may use ${VAR} and ${VAR:-default}.", [
        SchemaKey("environment", .string(), "The environment's name, equal to the file name.", examples: ["sandbox"]),
        SchemaKey("database", .object(SchemaObject("The ETL database.", [SchemaKey("url", .string(), "A PostgreSQL URL.", examples: ["${ETL_DATABASE_URL}"])], additional: true)), "The ETL database."),
        SchemaKey("api", .object(SchemaObject("etl-core's API.", [SchemaKey("url", .string(), "The API's base URL."), SchemaKey("token", .string(), "The bearer token (from a variable named in secrets).")], additional: true)), "etl-core's API."),
        SchemaKey("logs", .string(), "The service's log folder (env.logs).", examples: [".sandbox/logs"]),
        SchemaKey("commands", .map(.list(.string())), "Named argv lists that `command:` steps run.", examples: [.object([("service_restart", .list(["systemctl", "restart", "etl-service"]))])]),
        SchemaKey("secrets", .stringOrList, "Variables whose values are redacted everywhere.", examples: [.list(["ETL_API_TOKEN"])]),
        SchemaKey("ledger", .object(SchemaObject("The team's ledger.", [SchemaKey("url", .string(), "A PostgreSQL URL (empty: none).")], additional: true)), "The team's ledger (runbook ledger init)."),
        SchemaKey("notify", .object(SchemaObject("Notification channels.", [
            SchemaKey("log", .string(), "The operational log file (the built-in channel `log`)."),
            SchemaKey("channels", .map(.object(SchemaObject("A channel.", [
                SchemaKey("type", .string(values: NotifyChannel.Kind.allCases.map(\.rawValue)), "What kind of channel.", required: true),
            ], additional: true))), "Channels by name."),
        ])), "Where notify steps post."),
        SchemaKey("identity", .object(SchemaObject("Who operators are.", [SchemaKey("allowed_signers", .string(), "The OpenSSH allowed_signers file of the operators.")], additional: true)), "Operators' SSH identities."),
        SchemaKey("approvals", .object(SchemaObject("The four-eyes policy.", ApprovalPolicy.keys.map { key in
            switch key {
            case "approvers": SchemaKey(key, .stringOrList, "Who may approve (principals of allowed_signers).")
            case "console": SchemaKey(key, .string(), "The console's principal.")
            case "expires": SchemaKey(key, .duration, "How long a request stays open.")
            default: SchemaKey(key, .integer(0...9), "Approvals needed for \(key)-risk actions.")
            }
        })), "Four-eyes approvals."),
        SchemaKey("runner", .object(SchemaObject("The team's runner.", [SchemaKey("url", .string(), "The runner's URL."), SchemaKey("principal", .string(), "The runner key's principal.")], additional: true)), "Run through the team's runner."),
        SchemaKey("alertmanager", .object(SchemaObject("The environment's Alertmanager.", [
            SchemaKey("url", .string(), "Alertmanager's base URL (API v2 under it; empty: none).", examples: ["${ALERTMANAGER_URL}"]),
            SchemaKey("max_silence", .duration, "The longest silence a repair sets (default 1h)."),
        ])), "Where a live repair silences the alert it answers."),
    ], additional: true)

    /// The definitions `$ref` names, by name.
    public static let definitions: [(String, SchemaType)] = [
        ("step", .tagged([step(.check), step(.action), step(.notify)])),
        ("http", .object(http)),
        ("thresholds", .object(thresholds)),
        ("retry", .object(retry)),
    ]
}
