/// `shell: [argv...]` or `command: <env.commands name>`; never a shell string.
public struct ShellSpec: Sendable {
    /// `shell: [...]`: each element one argument, templates rendered to exactly one argv element
    /// each. Empty for `command:`.
    public var argv: [Located<Template>]
    /// `command: service_restart`: argv from the environment's `commands`.
    public var namedCommand: Located<String>?
    /// Extra arguments appended to a named command.
    public var args: [Located<Template>]
    /// `cwd:`, relative to the project folder unless absolute; nil: the project folder.
    public var workingDirectory: Located<Template>?
    /// `env:`, variables added to the inherited environment, in file order.
    public var environment: [(String, Located<Template>)]
    /// Nagios plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
    public var nagios: Bool
    /// Standard input given to the process.
    public var stdin: Located<Template>?

    /// A shell step's spec; give `argv` or `namedCommand`.
    public init(argv: [Located<Template>] = [], namedCommand: Located<String>? = nil, args: [Located<Template>] = [],
                workingDirectory: Located<Template>? = nil, environment: [(String, Located<Template>)] = [], nagios: Bool = false,
                stdin: Located<Template>? = nil)
    {
        self.argv = argv
        self.namedCommand = namedCommand
        self.args = args
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.nagios = nagios
        self.stdin = stdin
    }
}
