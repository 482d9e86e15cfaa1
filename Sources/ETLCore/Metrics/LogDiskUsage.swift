import Foundation

/// The seed's `df -h /var/log/etl/`: how much the log folder holds and how full its file
/// system is.
struct LogDiskUsage: Sendable {
    /// Bytes of the regular files directly in the folder (current and rotated logs).
    var directoryBytes: Int64
    /// Size of the file system the folder is on.
    var filesystemBytes: Int64
    /// Bytes still free on that file system.
    var availableBytes: Int64

    /// Measures `directory`; nil when it cannot be read.
    static func measure(_ directory: String) -> LogDiskUsage? {
        let files = FileManager.default
        guard let names = try? files.contentsOfDirectory(atPath: directory),
              let system = try? files.attributesOfFileSystem(forPath: directory) else { return nil }
        var total: Int64 = 0
        for name in names {
            guard let attributes = try? files.attributesOfItem(atPath: directory + "/" + name),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
        return LogDiskUsage(
            directoryBytes: total,
            filesystemBytes: (system[.systemSize] as? NSNumber)?.int64Value ?? 0,
            availableBytes: (system[.systemFreeSize] as? NSNumber)?.int64Value ?? 0
        )
    }
}
