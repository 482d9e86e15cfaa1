import Logging

/// The service's operational log files, in the formats the seed runbook's commands read.
///
/// In the log folder:
/// * `etl-service.log`: `2026-11-29 13:55:07 INFO  worker file_id=123 loaded rows=40`, levels
///   `INFO`/`WARN`/`ERROR`/`FATAL`, plus `SLOW_QUERY` lines and `ALERT <name> ...` lines whose
///   4th field is the alert name (`grep ALERT | awk '{print $4}'`).
/// * `errors.log`: `<date> <time> ERROR <component> file_id=<id> <error_type> <message>`, so
///   `awk '/ERROR/ {print $6}'` prints the error type.
/// * `metrics.log`: `<date> <time> PROCESSING_TIME <filename> <ms>` (field 5 is milliseconds).
/// * `audit.log`: `<date> <time> AUDIT actor=<who> action=<what> target=<which> result=<outcome> ...`.
///
/// Every line is also sent to the `Logger` passed in (stderr in the executable).
public final class EventLog: Sendable {
    /// Severity of an `etl-service.log` line.
    public enum Level: String, Sendable {
        case info = "INFO"
        case warn = "WARN"
        case error = "ERROR"
        case fatal = "FATAL"
    }

    /// File names inside the log folder.
    public enum FileName {
        public static let service = "etl-service.log"
        public static let errors = "errors.log"
        public static let metrics = "metrics.log"
        public static let audit = "audit.log"
    }

    private let service: LogFile?
    private let errors: LogFile?
    private let metrics: LogFile?
    private let audit: LogFile?
    private let logger: Logger

    /// Creates the log; with `directory == nil` only the `Logger` receives the lines.
    public init(directory: String?, logger: Logger) {
        self.logger = logger
        if let directory {
            Self.makeDirectory(directory)
            service = LogFile(path: "\(directory)/\(FileName.service)")
            errors = LogFile(path: "\(directory)/\(FileName.errors)")
            metrics = LogFile(path: "\(directory)/\(FileName.metrics)")
            audit = LogFile(path: "\(directory)/\(FileName.audit)")
        } else {
            service = nil
            errors = nil
            metrics = nil
            audit = nil
        }
    }

    /// An `etl-service.log` line: `<timestamp> <LEVEL> <component> <message>`.
    public func write(_ level: Level, _ component: String, _ message: String) {
        let padded = level.rawValue.paddedRight(to: 5)
        service?.append("\(LogTimestamp.now()) \(padded) \(component) \(message)")
        switch level {
        case .info: logger.info("\(component) \(message)")
        case .warn: logger.warning("\(component) \(message)")
        case .error: logger.error("\(component) \(message)")
        case .fatal: logger.critical("\(component) \(message)")
        }
    }

    /// A failure with its error type, written to `etl-service.log` and `errors.log`.
    public func error(_ component: String, fileID: Int64?, errorType: String, _ message: String) {
        let line = "\(LogTimestamp.now()) ERROR \(component) file_id=\(fileID.map(String.init) ?? "-") \(errorType) \(Self.oneLine(message))"
        service?.append(line)
        errors?.append(line)
        logger.error("\(component) file_id=\(fileID.map(String.init) ?? "-") \(errorType) \(message)")
    }

    /// A `SLOW_QUERY` line in `etl-service.log`.
    public func slowQuery(_ component: String, fileID: Int64?, milliseconds: Int, _ detail: String) {
        write(.warn, "SLOW_QUERY", "\(component) file_id=\(fileID.map(String.init) ?? "-") duration_ms=\(milliseconds) \(Self.oneLine(detail))")
    }

    /// An `ALERT <name> severity=<s> <message>` line in `etl-service.log`.
    public func alert(_ name: String, severity: String, _ message: String) {
        service?.append("\(LogTimestamp.now()) ALERT \(name) severity=\(severity) \(Self.oneLine(message))")
        logger.warning("ALERT \(name) severity=\(severity) \(message)")
    }

    /// A `PROCESSING_TIME <filename> <ms>` line in `metrics.log`.
    public func processingTime(filename: String, milliseconds: Int) {
        metrics?.append("\(LogTimestamp.now()) PROCESSING_TIME \(Self.token(filename)) \(milliseconds)")
    }

    /// An `AUDIT` line in `audit.log`: who did what to which, with what outcome.
    public func audit(actor: String, action: String, target: String, result: String, detail: String = "") {
        let suffix = detail.isEmpty ? "" : " \(Self.oneLine(detail))"
        audit?.append("\(LogTimestamp.now()) AUDIT actor=\(Self.token(actor)) action=\(action) target=\(Self.token(target)) result=\(result)\(suffix)")
        logger.info("audit actor=\(actor) action=\(action) target=\(target) result=\(result)")
    }

    /// Replaces whitespace so a value stays one awk field.
    static func token(_ text: String) -> String {
        let mapped = String(text.map { $0.isWhitespace ? "_" : $0 })
        return mapped.isEmpty ? "-" : mapped
    }

    /// Keeps a message on one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    private static func makeDirectory(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/\(component)"
            _ = mkdirCompat(current)
        }
    }
}

extension String {
    /// The string, right-padded with spaces to `length` characters.
    func paddedRight(to length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
