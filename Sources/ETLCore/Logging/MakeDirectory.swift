#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mkdir(path, 0755)`, ignoring "already exists".
@discardableResult
func mkdirCompat(_ path: String) -> Bool {
    mkdir(path, 0o755) == 0 || errno == EEXIST
}
