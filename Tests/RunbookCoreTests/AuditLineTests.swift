import Foundation
import Testing
@testable import RunbookCore

/// The verifier's one-pass reader of a record: every complete record is read, every torn one
/// (any strict prefix of a record) is refused, and only top-level fields count.
@Suite("Audit log: reading one line")
struct AuditLineTests {
    func scan(_ text: String) -> AuditLine? {
        Array(text.utf8).withUnsafeBufferPointer { AuditLine.scan($0) }
    }

    static let record = #"{"seq":12,"ts":"2026-11-29T10:00:00.000+0000","event":"run.started","run_id":"r1","inputs":{"prev":"nested","seq":99,"note":"quote \" backslash \\ tab \t é \u00e9 ✔ — a long text that spans more than eight bytes"},"list":[1,-2.5e3,true,false,null,[],{}],"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#

    @Test func aCompleteRecordIsRead() throws {
        let text = Self.record
        let line = try #require(scan(text))
        #expect(line.seq == 12)
        #expect(line.isRecord)
        #expect(line.startsRun)
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[try #require(line.prev)], as: UTF8.self) == AuditLog.genesis)
        #expect(String(decoding: bytes[try #require(line.ts)], as: UTF8.self) == "2026-11-29T10:00:00.000+0000")
        // Agrees with the full JSON parser.
        #expect(try JSON.parse(text)["seq"] == 12)
    }

    @Test func everyTornPrefixIsRefused() {
        let bytes = Array(Self.record.utf8)
        for cut in 0..<bytes.count {
            let torn = bytes[..<cut].withUnsafeBufferPointer { AuditLine.scan($0) }
            #expect(torn == nil || torn?.isRecord == false, "a record cut at byte \(cut) was read as one")
        }
    }

    @Test func invalidJSONIsRefused() {
        for text in [#"{"seq":1,"prev":"a\u"}"#, "{\"seq\":1,\"prev\":\"a\u{01}b\"}", #"{"seq":1,"prev":"x"} x"#, #"{"seq":01x,"prev":"x"}"#,
                     #"{"seq":1,"prev":"x",}"#, #"["seq",1]"#, #"{"seq":1 "prev":"x"}"#, #"{"a":tru}"#, ""] {
            #expect(scan(text)?.isRecord != true, "\(text)")
        }
    }

    @Test func nestedChainFieldsAreNotTaken() {
        let line = scan(#"{"event":"step.ended","inputs":{"seq":5,"prev":"p"}}"#)
        #expect(line != nil)
        #expect(line?.isRecord == false)
    }
}
