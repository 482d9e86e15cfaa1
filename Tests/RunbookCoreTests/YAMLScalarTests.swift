import Foundation
import Testing
@testable import RunbookCore

/// Plain scalars are typed as YAML 1.1 (Yams's default resolver), without its regular expressions.
@Suite("YAML scalar typing")
struct YAMLScalarTests {
    @Test func plainScalarsKeepTheirYAMLTypes() throws {
        let doc = YAMLDocument(path: "t.yaml", text: """
            a: yes
            b: 12
            c: 1.5
            d: ~
            e: 'yes'
            f: tRUE
            g: 0x1F
            h: 1_000
            i: Off
            j: -3
            k: .inf
            l: error-rate
            m: null
            n: "12"
            o: 2026-11-29
            p:
            """)
        let value = doc.value(try #require(doc.root))
        let expected: [(String, Value)] = [
            ("a", .bool(true)), ("b", .int(12)), ("c", .double(1.5)), ("d", .null), ("e", .string("yes")), ("f", .string("tRUE")),
            ("g", .int(31)), ("h", .int(1000)), ("i", .bool(false)), ("j", .int(-3)), ("k", .double(.infinity)),
            ("l", .string("error-rate")), ("m", .null), ("n", .string("12")), ("o", .string("2026-11-29")), ("p", .null),
        ]
        for (key, v) in expected { #expect(value[key] == v, "\(key): \(String(describing: value[key]))") }
    }
}
