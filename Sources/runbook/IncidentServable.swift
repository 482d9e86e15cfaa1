/// The incident subcommands: their environment is `options.ledger`.
protocol IncidentServable: RunnerServable {
    var options: IncidentOptions { get set }
}

extension IncidentServable {
    var ledgerOptions: LedgerOptions {
        get { options.ledger }
        set { options.ledger = newValue }
    }
    var keyFlag: String? { options.key }
}
