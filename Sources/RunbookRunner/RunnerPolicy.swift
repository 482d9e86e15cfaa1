public import Foundation
import Crypto
import RunbookCore

/// The policy a runner enforces: its own runbooks, checks, templates, environments, escalation
/// ladder and allowed_signers, pinned when it starts. Their digest goes into the ledger, and a
/// request is refused when the files no longer hash to it (the runner must be restarted,
/// which records the new digest): what ran is always what an auditor can name.
public struct RunnerPolicy: Sendable, Equatable {
    /// Each pinned file (relative to the home, or absolute outside it) and its SHA-256.
    public var files: [String: String]
    /// The SHA-256 of every `path sha256` line, sorted: `sha256:HEX`.
    public var digest: String

    /// The folders of a home that make its policy.
    static let folders = ["runbooks", "checks", "templates", "environments"]

    /// Hashes the policy of `home`, with `extra` files (the allowed_signers) named by path.
    public static func pin(home: URL, extra: [URL]) -> RunnerPolicy {
        var files: [String: String] = [:]
        let manager = FileManager.default
        for folder in folders {
            let root = home.appendingPathComponent(folder)
            guard let walker = manager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let relative = folder + url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count)
                files[relative] = hash(url)
            }
        }
        let escalation = home.appendingPathComponent("escalation.yaml")
        if manager.fileExists(atPath: escalation.path) { files["escalation.yaml"] = hash(escalation) }
        for url in extra {
            let path = url.standardizedFileURL.path
            let homePath = home.standardizedFileURL.path + "/"
            files[path.hasPrefix(homePath) ? String(path.dropFirst(homePath.count)) : path] = hash(url)
        }
        let lines = files.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        return RunnerPolicy(files: files, digest: "sha256:" + Hex.encode(SHA256.hash(data: Data(lines.utf8))))
    }

    private static func hash(_ url: URL) -> String {
        guard let data = try? Data(contentsOf: url) else { return "unreadable" }
        return Hex.encode(SHA256.hash(data: data))
    }
}
