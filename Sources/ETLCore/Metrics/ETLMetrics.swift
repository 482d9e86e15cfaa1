import Prometheus

/// What this process counts as it goes, in swift-prometheus' registry: files finished (by
/// status), failed (by error type), their processing time, and refused uploads.
///
/// Counters live as long as the process (Prometheus' `rate()` handles a restart); the
/// figures read from the database at each scrape are ``ScrapeGauges``.
public final class ETLMetrics: Sendable {
    /// The registry the counters are kept in; `/metrics` renders it.
    let registry = PrometheusCollectorRegistry()
    private let finishedLoaded: Counter
    private let finishedError: Counter
    private let failed: [ErrorType: Counter]
    private let refusals: [UploadRefusal: Counter]
    private let processing: ValueHistogram

    /// Why an upload was refused, the `reason` label of `etl_upload_refusals_total`.
    public enum UploadRefusal: String, Sendable, CaseIterable {
        /// Over `ETL_MAX_UPLOAD_BYTES` (413).
        case tooLarge = "too_large"
        /// Not the JSON the API takes, or a filename it refuses (400).
        case invalid
    }

    /// Processing-time buckets, seconds: a normal file takes milliseconds, the sandbox's slow
    /// fault seconds, and the seed's SLA speaks of hours.
    static let processingBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    /// Creates the counters, each at zero, so that every series exists from the first scrape.
    public init() {
        let finishedHelp = "Files this process finished, by final status."
        finishedLoaded = registry.makeCounter(descriptor: Self.descriptor("etl_files_finished_total", finishedHelp), labels: [("status", "loaded")])
        finishedError = registry.makeCounter(descriptor: Self.descriptor("etl_files_finished_total", finishedHelp), labels: [("status", "error")])
        var failed: [ErrorType: Counter] = [:]
        for type in ErrorType.allCases {
            failed[type] = registry.makeCounter(descriptor: Self.descriptor("etl_files_failed_total", "Files this process failed, by error type (the seed's classification)."),
                                                labels: [("error_type", type.rawValue)])
        }
        self.failed = failed
        var refusals: [UploadRefusal: Counter] = [:]
        for reason in UploadRefusal.allCases {
            refusals[reason] = registry.makeCounter(descriptor: Self.descriptor("etl_upload_refusals_total", "Uploads the API refused, by reason."),
                                                    labels: [("reason", reason.rawValue)])
        }
        self.refusals = refusals
        processing = registry.makeValueHistogram(
            descriptor: Self.descriptor("etl_file_processing_seconds", "Time from claim to final status of each file this process finished."),
            buckets: Self.processingBuckets)
    }

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Records a file that reached its final status (`errorType` is nil for a loaded file).
    public func fileFinished(errorType: ErrorType?, seconds: Double) {
        if let errorType {
            finishedError.increment()
            failed[errorType]?.increment()
        } else {
            finishedLoaded.increment()
        }
        processing.record(seconds)
    }

    /// Records a file the worker could not bring to a final status (the database failed it):
    /// counted as failed (`connection`), not as finished.
    public func fileAbandoned() {
        failed[.connection]?.increment()
    }

    /// Records an upload the API refused.
    public func uploadRefused(_ reason: UploadRefusal) {
        refusals[reason]?.increment()
    }

    /// The counters in the Prometheus text format.
    func render() -> String {
        registry.emitToString()
    }
}
