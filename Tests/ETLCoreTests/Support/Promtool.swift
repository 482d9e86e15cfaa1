import Foundation

/// Debian's `promtool` (scripts/test installs the `prometheus` package), run as a child
/// process with its input on stdin. A missing promtool is a failure, never a skip.
enum Promtool {
    struct Result {
        var status: Int32
        var output: String
    }

    /// `promtool check metrics` over `exposition`.
    static func checkMetrics(_ exposition: String) throws -> Result {
        try run(["check", "metrics"], stdin: exposition)
    }

    static func run(_ arguments: [String], stdin text: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool"] + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Write from another thread: a large input must not block while promtool's output fills its pipe.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
