import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import RunbookCore

/// Sends one message through an SMTP server: `EHLO`, `STARTTLS` when the server offers it
/// (then `EHLO` again over TLS, the certificate verified against the host name), `AUTH PLAIN`
/// only over TLS, `MAIL FROM`, `RCPT TO` per recipient, `DATA` with dot-stuffing, `QUIT`.
///
/// Written over SwiftNIO and NIOSSL, already in the build for PostgreSQL and HTTP: no
/// maintained Swift SMTP library is available to this project's builds (see docs/notify.md).
struct SMTPClient: Sendable {
    /// A failed send: the server's reply code when it answered, and whether trying again may
    /// help (no answer, or a `4xx` reply) or not (a `5xx` reply, a refused setting).
    struct Failure: Error, CustomStringConvertible {
        var code: Int?
        var message: String
        var transient: Bool
        var description: String { message }
    }

    let group: any EventLoopGroup
    /// Trust for the server's certificate after `STARTTLS` (default: the system's roots).
    var tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    /// The name said in `EHLO`.
    var heloName: String = SMTPClient.localName()

    /// Sends `message` through `email`'s server; returns the server's answer to the message
    /// (`250 ... queued as ...`). Throws ``Failure``.
    func send(_ message: EmailMessage, via email: NotifyChannel.Email, connectTimeout: Duration) async throws -> String {
        for address in [email.from] + email.to where !EmailMessage.isValidAddress(address) {
            throw Failure(code: nil, message: "'\(EmailMessage.clean(address))' is not an email address an SMTP envelope can carry", transient: false)
        }
        let asyncChannel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(connectTimeout.milliseconds))
                .connect(host: email.host, port: email.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw Failure(code: nil, message: "cannot connect to \(email.host):\(email.port): \(SQLDriver.reason(error))", transient: true)
        }
        let channel = asyncChannel.channel
        let tls = tlsConfiguration
        return try await asyncChannel.executeThenClose { inbound, outbound in
            var session = Session(replies: ReplyReader(iterator: inbound.makeAsyncIterator()), outbound: outbound)
            try await session.expect(220, after: "connecting")
            var extensions = try await session.command("EHLO \(heloName)", expect: 250)
            var secure = false
            if extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                _ = try await session.command("STARTTLS", expect: 220)
                do {
                    let context = try NIOSSLContext(configuration: tls)
                    let host = email.host
                    try await channel.eventLoop.submit {
                        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                    }.get()
                } catch {
                    throw Failure(code: nil, message: "STARTTLS failed: \(error)", transient: false)
                }
                secure = true
                extensions = try await session.command("EHLO \(heloName)", expect: 250)
            } else if email.requireTLS {
                throw Failure(code: nil, message: "the server does not offer STARTTLS and the channel says tls: required; nothing was sent", transient: false)
            }
            if let username = email.username, let password = email.password {
                guard secure else {
                    throw Failure(code: nil, message: "the server does not offer STARTTLS: the password is never sent in clear; nothing was sent", transient: false)
                }
                let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                _ = try await session.command("AUTH PLAIN \(credentials)", expect: 235, shown: "AUTH PLAIN ***")
            }
            _ = try await session.command("MAIL FROM:<\(email.from)>", expect: 250)
            for recipient in email.to { _ = try await session.command("RCPT TO:<\(recipient)>", expect: 250, 251) }
            _ = try await session.command("DATA", expect: 354)
            let stuffed = message.rendered().split(separator: "\r\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
            let accepted = try await session.command(stuffed + ".", expect: 250, shown: "the message")
            _ = try? await session.command("QUIT", expect: 221)
            return accepted.joined(separator: " ")
        }
    }

    /// A host name fit for `EHLO`: letters, digits, dots and dashes, else `localhost`.
    static func localName() -> String {
        let name = ProcessInfo.processInfo.hostName
        let fit = !name.isEmpty && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "." || $0 == "-" }
        return fit ? name : "localhost"
    }

    /// One conversation: a command, then its reply.
    struct Session {
        var replies: ReplyReader
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        /// Sends `line` (CRLF added) and reads the reply; its text lines when the code is one of
        /// `codes`, else a ``Failure`` naming `shown` (the command, or what stands for it).
        mutating func command(_ line: String, expect codes: Int..., shown: String? = nil) async throws -> [String] {
            do { try await outbound.write(ByteBuffer(string: line + "\r\n")) } catch {
                throw Failure(code: nil, message: "the connection was lost sending \(shown ?? Self.verb(line))", transient: true)
            }
            return try await read(codes, after: shown ?? Self.verb(line))
        }

        mutating func expect(_ codes: Int..., after what: String) async throws {
            _ = try await read(codes, after: what)
        }

        mutating func read(_ codes: [Int], after what: String) async throws -> [String] {
            let (code, lines) = try await replies.reply(after: what)
            guard codes.contains(code) else {
                throw Failure(code: code, message: "after \(what): \(code) \(lines.joined(separator: " "))", transient: (400...499).contains(code))
            }
            return lines
        }

        static func verb(_ line: String) -> String { String(line.prefix { $0 != " " && $0 != ":" }) }
    }

    /// Reads SMTP replies (`250-first`, `250 last`) from the channel's bytes.
    struct ReplyReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer = ByteBuffer()

        mutating func line(after what: String) async throws -> String {
            while true {
                if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let length = newline - buffer.readerIndex + 1
                    var text = buffer.readString(length: length) ?? ""
                    // "\r\n" is one Character: trim scalars.
                    while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
                    return text
                }
                guard buffer.readableBytes < 64 * 1024 else { throw Failure(code: nil, message: "after \(what): a reply line longer than 64 KiB", transient: false) }
                let next: ByteBuffer?
                do { next = try await iterator.next() } catch {
                    throw Failure(code: nil, message: "after \(what): \(SQLDriver.reason(error))", transient: true)
                }
                guard var chunk = next else { throw Failure(code: nil, message: "after \(what): the server closed the connection", transient: true) }
                buffer.writeBuffer(&chunk)
            }
        }

        mutating func reply(after what: String) async throws -> (Int, [String]) {
            var lines: [String] = []
            while true {
                let line = try await line(after: what)
                guard line.count >= 3, let code = Int(line.prefix(3)) else {
                    throw Failure(code: nil, message: "after \(what): not an SMTP reply: \(EmailMessage.clean(String(line.prefix(80))))", transient: false)
                }
                lines.append(String(line.dropFirst(4)))
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return (code, lines) }
                if lines.count > 100 { throw Failure(code: code, message: "after \(what): a reply of more than 100 lines", transient: false) }
            }
        }
    }
}
