import Foundation
import Testing
import VMIBCore
@testable import VMIBServer

/// One base64url encoding serves both operation kinds: ids are URL-safe and decode back.
@Suite struct OperationIDTests {
    @Test func idsAreURLSafeAndDecodeBackForBothKinds() throws {
        // Bytes whose standard base64 has '+', '/' and padding.
        let text = "\u{FB}\u{FF}|?>"
        let id = OperationID.encode(text)
        #expect(!id.contains("+") && !id.contains("/") && !id.contains("="), "\(id)")
        #expect(OperationID.decode(id) == text)
        #expect(OperationID.decode("not base64 !") == nil)

        let when = Date(timeIntervalSince1970: 1_700_000_000.123)
        let version = try #require(VersionIDParser.parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0"))
        let op = Operation(kind: .create, version: version, startTime: when)
        let back = try #require(Operation(id: op.id))
        #expect(back.version == version && back.kind == op.kind && back.startTime.timeIntervalSince1970 == 1_700_000_000.123)

        let key = TemplateKey(subscription: "s", resourceGroup: "rg", name: "t.1")
        let t = TemplateOperation(kind: .run, template: key, runID: "r1", startTime: when)
        let tBack = try #require(TemplateOperation(id: t.id))
        #expect(tBack.template == key && tBack.runID == "r1" && tBack.kind == t.kind)
        #expect(Operation(id: t.id) == nil && TemplateOperation(id: op.id) == nil, "one kind's id is not the other's")
    }
}
