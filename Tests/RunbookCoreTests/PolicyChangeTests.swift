import RunbookCore
import Testing

/// The policy changes `audit verify --ledger` lists, from the runners' starts in order.
@Suite struct PolicyChangeTests {
    static func pin(_ at: Int, _ digest: String, _ files: [String: String], replica: String = "h:1") -> PolicyChange.Pin {
        PolicyChange.Pin(startedAt: at, replica: replica, principal: "runner@example.com", digest: digest, files: files)
    }

    @Test func restartsWithTheSameDigestAreNotChanges() {
        let files = ["runbooks/a.yaml": "1", "environments/prod.yaml": "2"]
        let changes = PolicyChange.changes([Self.pin(0, "sha256:a", files), Self.pin(60, "sha256:a", files, replica: "h:2")])
        #expect(changes.count == 1)
        #expect(changes[0].previousDigest == nil)
        #expect(changes[0].text == "policy: 1970-01-01 00:00:00 UTC: replica h:1 (runner@example.com) pinned sha256:a (the first policy pinned, 2 files)")
    }

    @Test func aChangeNamesTheFilesChangedAddedAndRemoved() {
        let before = ["runbooks/a.yaml": "1", "runbooks/b.yaml": "2", "environments/prod.yaml": "3"]
        let after = ["runbooks/a.yaml": "9", "runbooks/c.yaml": "4", "environments/prod.yaml": "3"]
        let changes = PolicyChange.changes([Self.pin(0, "sha256:a", before), Self.pin(3600, "sha256:b", after, replica: "h:2"),
                                            Self.pin(7200, "sha256:b", after, replica: "h:3")])
        #expect(changes.count == 2)
        #expect(changes[1].changed == ["runbooks/a.yaml"])
        #expect(changes[1].added == ["runbooks/c.yaml"])
        #expect(changes[1].removed == ["runbooks/b.yaml"])
        #expect(changes[1].text == "policy: 1970-01-01 01:00:00 UTC: replica h:2 (runner@example.com) pinned sha256:b (was sha256:a): "
            + "changed runbooks/a.yaml; added runbooks/c.yaml; removed runbooks/b.yaml")
    }
}
