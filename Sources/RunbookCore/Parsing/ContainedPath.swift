public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names written in a runbook (`use: top-errors`, `template: incident-update`) or given on the
/// command line (`runbook run ID`) are files of one folder (`checks/`, `templates/`,
/// `runbooks/`), and only of that folder: `../../etc/passwd`, an absolute path, or a symlink
/// pointing out of the folder is refused, never read. Symlinks are resolved first, then
/// containment is checked, so a link that stays inside the folder is fine.
public enum ContainedPath {
    /// A name that leads out of its folder.
    public struct Escape: Error, Sendable, Hashable, CustomStringConvertible {
        /// The name as written.
        public var name: String
        /// The folder it must stay in, as shown to people (`templates/`).
        public var folder: String

        /// `name` as written leads outside `folder`.
        public init(name: String, folder: String) {
            self.name = name
            self.folder = folder
        }

        public var description: String {
            "'\(name)' leads outside \(folder) (a name must stay inside its folder: no '..', no absolute path, no symlink out of it)"
        }
    }

    /// The first existing file among `name` plus each of `extensions` (`""` for the name as
    /// written) inside `directory`; nil when none exists. Throws when the name, or the file a
    /// symlink points to, lies outside `directory`.
    public static func file(named name: String, in directory: URL, extensions: [String]) throws(Escape) -> URL? {
        let folder = directory.lastPathComponent + "/"
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0") else { throw Escape(name: name, folder: folder) }
        let base = directory.standardizedFileURL.path
        let realBase = realPath(base) ?? base
        for ext in extensions {
            let candidate = directory.appendingPathComponent(ext.isEmpty ? name : "\(name).\(ext)").standardizedFileURL.path
            // Lexically first ('..' segments), so nothing outside is even looked at.
            guard isInside(candidate, base) else { throw Escape(name: name, folder: folder) }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let real = realPath(candidate), isInside(real, realBase) else { throw Escape(name: name, folder: folder) }
            return URL(fileURLWithPath: candidate)
        }
        return nil
    }

    /// The bytes of the first file `file(named:in:extensions:)` finds; nil when there is none
    /// or when the name leads outside the folder (callers that report the reason use `file`).
    public static func data(of name: String, in directory: URL, extensions: [String] = [""]) -> Data? {
        guard let found = try? file(named: name, in: directory, extensions: extensions) else { return nil }
        return FileManager.default.contents(atPath: found.path)
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) && path.count > prefix.count
    }

    /// `realpath(3)`: every symlink resolved; nil when the file does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
