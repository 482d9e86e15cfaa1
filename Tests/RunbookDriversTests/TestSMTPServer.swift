import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A real SMTP receiver on an ephemeral loopback port, for the email channel's tests: it
/// speaks enough ESMTP for one client (EHLO, STARTTLS when given a TLS context, AUTH PLAIN,
/// MAIL, RCPT, DATA with dot-unstuffing, QUIT) and records every message, whether it came over
/// TLS, and the credentials given; `mailReplies` scripts the answers to `MAIL FROM` (the nth
/// gets the nth, then `250`).
final class TestSMTPServer: Sendable {
    struct Message: Sendable {
        var helo: String
        var from: String
        var to: [String]
        /// The message as received after `DATA`, dot-unstuffed, lines joined with CRLF.
        var data: String
        /// Whether the message came after STARTTLS.
        var overTLS: Bool = false
        /// What `AUTH PLAIN` carried (`user\0password`), if it came.
        var credentials: String?

        /// The header block, unfolded, by lower-cased name.
        var headers: [String: String] {
            let head = data.components(separatedBy: "\r\n\r\n").first ?? ""
            var out: [String: String] = [:]
            var last: String?
            for line in head.components(separatedBy: "\r\n") {
                if line.hasPrefix(" ") || line.hasPrefix("\t"), let last {
                    out[last, default: ""] += line.trimmingCharacters(in: .whitespaces)
                } else if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    out[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    last = name
                }
            }
            return out
        }

        /// The body decoded from base64.
        var decodedBody: String {
            let encoded = data.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? "<not base64>"
        }
    }

    actor Inbox {
        var messages: [Message] = []
        var mailCommands = 0
        let mailReplies: [String]
        init(mailReplies: [String]) { self.mailReplies = mailReplies }
        func add(_ m: Message) { messages.append(m) }
        func nextMailReply() -> String {
            defer { mailCommands += 1 }
            return mailCommands < mailReplies.count ? mailReplies[mailCommands] : "250 2.1.0 Ok"
        }
    }

    let inbox: Inbox
    let tls: NIOSSLContext?

    /// A receiver; `tls` makes it offer STARTTLS.
    init(mailReplies: [String] = [], tls: NIOSSLContext? = nil) {
        inbox = Inbox(mailReplies: mailReplies)
        self.tls = tls
    }

    var messages: [Message] { get async { await inbox.messages } }

    /// Runs `body` with the server's port, then stops it.
    func with<R: Sendable>(_ body: @Sendable (Int) async throws -> R) async throws -> R {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = server.channel.localAddress?.port ?? 0
        let inbox = self.inbox
        let tls = self.tls
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            // Off the cooperative pool, as LocalHTTPServer: a blocked test thread cannot stall it.
            tasks.addTask(executorPreference: OwnThreadExecutor()) {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { try? await Self.serve(connection, inbox: inbox, tls: tls) }
                        }
                    }
                }
            }
            do {
                let result = try await body(port)
                try? await server.channel.close()
                tasks.cancelAll()
                try? await tasks.waitForAll()
                return result
            } catch {
                try? await server.channel.close()
                tasks.cancelAll()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, inbox: Inbox, tls: NIOSSLContext?) async throws {
        let channel = connection.channel
        try await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var buffer = ByteBuffer()
            func say(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text + "\r\n")) }
            func line() async throws -> String? {
                while true {
                    if let nl = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                        var text = buffer.readString(length: nl - buffer.readerIndex + 1) ?? ""
                        // "\r\n" is one Character: trim scalars.
                        while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
                        return text
                    }
                    guard var chunk = try await iterator.next() else { return nil }
                    buffer.writeBuffer(&chunk)
                }
            }
            try await say("220 test.local ESMTP ready")
            var helo = "", from = ""
            var to: [String] = []
            var secure = false
            var credentials: String?
            while let command = try await line() {
                let upper = command.uppercased()
                if upper.hasPrefix("EHLO ") || upper.hasPrefix("HELO ") {
                    helo = String(command.dropFirst(5))
                    try await say("250-test.local greets \(helo)")
                    if tls != nil, !secure { try await say("250-STARTTLS") }
                    if secure { try await say("250-AUTH PLAIN") }
                    try await say("250-8BITMIME")
                    try await say("250 SIZE 10485760")
                } else if upper == "STARTTLS", let tls, !secure {
                    // The reply and the TLS handler in one event-loop turn: the client's hello
                    // cannot arrive in between and be read as plain text.
                    try await channel.eventLoop.submit {
                        channel.writeAndFlush(ByteBuffer(string: "220 2.0.0 Ready to start TLS\r\n"), promise: nil)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                    }.get()
                    secure = true
                } else if upper.hasPrefix("AUTH PLAIN "), secure {
                    credentials = Data(base64Encoded: String(command.dropFirst(11))).map { String(decoding: $0.dropFirst(), as: UTF8.self) }
                    try await say("235 2.7.0 Authentication successful")
                } else if upper.hasPrefix("MAIL FROM:") {
                    let reply = await inbox.nextMailReply()
                    if reply.hasPrefix("250") { from = String(command.dropFirst(10)); to = [] }
                    try await say(reply)
                } else if upper.hasPrefix("RCPT TO:") {
                    to.append(String(command.dropFirst(8)))
                    try await say("250 2.1.5 Ok")
                } else if upper == "DATA" {
                    try await say("354 End data with <CR><LF>.<CR><LF>")
                    var lines: [String] = []
                    while let l = try await line(), l != "." { lines.append(l.hasPrefix("..") ? String(l.dropFirst()) : l) }
                    await inbox.add(Message(helo: helo, from: from, to: to, data: lines.joined(separator: "\r\n"), overTLS: secure, credentials: credentials))
                    try await say("250 2.0.0 Ok: queued as T\(lines.count)")
                } else if upper == "QUIT" {
                    try await say("221 2.0.0 Bye")
                    return
                } else {
                    try await say("502 5.5.2 Error: command not recognized")
                }
            }
        }
    }
}
