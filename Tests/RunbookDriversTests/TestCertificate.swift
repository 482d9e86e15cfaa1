import Foundation
import NIOSSL

/// A throw-away self-signed certificate for `localhost` (and 127.0.0.1), made by openssl.
struct TestCertificate {
    var certificate: NIOSSLCertificate
    var key: NIOSSLPrivateKey

    static func make() throws -> TestCertificate {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                             "-keyout", dir.appendingPathComponent("key.pem").path, "-out", dir.appendingPathComponent("cert.pem").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return TestCertificate(certificate: try NIOSSLCertificate.fromPEMFile(dir.appendingPathComponent("cert.pem").path)[0],
                               key: try NIOSSLPrivateKey(file: dir.appendingPathComponent("key.pem").path, format: .pem))
    }
}
