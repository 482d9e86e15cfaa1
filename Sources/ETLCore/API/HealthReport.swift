import Foundation

/// Body of `GET /health`.
///
/// `status` is `ok` (database reachable, worker alive), `degraded` (database reachable,
/// worker not alive: stopped, or no heartbeat within the timeout) or `down` (database not
/// reachable). The HTTP status is 200 only for `ok`.
public struct HealthReport: Codable, Sendable {
    /// Database reachability.
    public struct Database: Codable, Sendable {
        /// `SELECT 1` answered within 2 s.
        public var reachable: Bool
        /// Round trip of that query, ms.
        public var latencyMs: Double?
        /// Why it is not reachable.
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case reachable, error
            case latencyMs = "latency_ms"
        }
    }

    /// Worker liveness.
    public struct Worker: Codable, Sendable {
        /// A heartbeat within the timeout.
        public var alive: Bool
        /// When the worker last beat, ISO 8601.
        public var lastHeartbeat: Date?
        /// Seconds since then.
        public var secondsSinceHeartbeat: Double?
        /// The `worker_stopped` fault is on.
        public var stoppedByFault: Bool
        /// Files this process finished.
        public var filesProcessed: Int
        /// Rows this process loaded.
        public var rowsLoaded: Int
        /// The file the worker is on now (it beats while it works, so a slow file is a busy
        /// worker, not a dead one).
        public var processingFileID: Int64?
        /// How long it has been on that file, seconds.
        public var processingSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case alive
            case lastHeartbeat = "last_heartbeat"
            case secondsSinceHeartbeat = "seconds_since_heartbeat"
            case stoppedByFault = "stopped_by_fault"
            case filesProcessed = "files_processed"
            case rowsLoaded = "rows_loaded"
            case processingFileID = "processing_file_id"
            case processingSeconds = "processing_seconds"
        }
    }

    /// The most recently completed file.
    public struct LastFile: Codable, Sendable {
        /// `etl_file.id`.
        public var id: Int64
        /// Its name.
        public var filename: String
        /// `loaded` or `error`.
        public var status: String
        /// When it completed, ISO 8601 as PostgreSQL renders it.
        public var completedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, filename, status
            case completedAt = "completed_at"
        }
    }

    /// `ok`, `degraded` or `down`.
    public var status: String
    /// Database check.
    public var database: Database
    /// Worker check.
    public var worker: Worker
    /// Most recently completed file, if any.
    public var lastProcessedFile: LastFile?
    /// Faults injected now.
    public var faults: FaultSettings
    /// Seconds since the service started.
    public var uptimeSeconds: Double

    enum CodingKeys: String, CodingKey {
        case status, database, worker, faults
        case lastProcessedFile = "last_processed_file"
        case uptimeSeconds = "uptime_seconds"
    }
}
