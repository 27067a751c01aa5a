import Foundation
import HummingbirdTesting
import Testing
import VMIBCore
import VMIBServer
import VMIBService

/// A server serves the subscriptions its token file's scopes name (and `--subscription`):
/// resources live in the subscription of their path, lists show that subscription's only, and a
/// path under a subscription not served is 404 SubscriptionNotFound.
@Suite struct SubscriptionsTests {
    static let other = "11111111-2222-3333-4444-555555555555"
    static let tokens = #"{"tokens":["# + [
        ServerFixture.entry("admin-token", "admin", "Contributor", "/subscriptions/\(ServerFixture.subscription)"),
        ServerFixture.entry("other-token", "other", "Contributor", "/subscriptions/\(other)"),
    ].joined(separator: ",") + "]}"

    static func galleries(_ subscription: String, _ rg: String = "rg1") -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(rg)/providers/Microsoft.Compute/galleries"
    }

    @Test func theTokensSubscriptionsAreServedEachWithItsOwnResources() async throws {
        let served = try TokenFile(json: Self.tokens).subscriptions
        #expect(Set(served) == [ServerFixture.subscription, Self.other])
        let f = try ServerFixture(tokensJSON: Self.tokens, moreSubscriptions: served)
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let put = try await client.call(.put, Self.galleries(Self.other) + "/g9", token: "other-token", body: ServerFixture.galleryBody)
            #expect(put.status == 201, "\(put.text)")
            #expect((put.json["id"] as? String)?.hasPrefix("/subscriptions/\(Self.other)/") == true, "\(put.text)")
            let theirs = try await client.call(.get, "/subscriptions/\(Self.other)/providers/Microsoft.Compute/galleries", token: "other-token")
            #expect(((theirs.json["value"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } == ["g9"], "\(theirs.text)")
            let mine = try await client.call(.get, "/subscriptions/\(ServerFixture.subscription)/providers/Microsoft.Compute/galleries")
            #expect(((mine.json["value"] as? [[String: Any]]) ?? []).isEmpty, "another subscription's gallery is not listed: \(mine.text)")
            // A token of one subscription reaches nothing in another.
            #expect(try await client.call(.get, Self.galleries(Self.other) + "/g9").status == 403)
            let template = try await client.call(
                .put, "/subscriptions/\(Self.other)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates/t9",
                token: "other-token", body: #"{"location":"eastus","properties":{"source":{"type":"PlatformImage","publisher":"vmib","offer":"busybox","sku":"gpt","version":"latest"},"distribute":[{"type":"VHD","runOutputName":"v"}]}}"#,
                apiVersion: "2025-10-01")
            #expect(template.status == 201 || template.status == 200, "\(template.text)")
            #expect((template.json["id"] as? String)?.hasPrefix("/subscriptions/\(Self.other)/") == true, "\(template.text)")
        }
        #expect(try f.service.galleries.list(subscription: Self.other, resourceGroup: nil).map(\.ref.gallery) == ["g9"])
        #expect(try f.service.galleries.list(resourceGroup: nil).isEmpty, "the CLI's default subscription holds none")
    }

    @Test func aSubscriptionNotServedIsNotFound() async throws {
        // The same tokens, but the server serves only its own subscription (as before this change).
        let f = try ServerFixture(tokensJSON: Self.tokens)
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let r = try await client.call(.put, Self.galleries(Self.other) + "/g9", token: "other-token", body: ServerFixture.galleryBody)
            #expect(r.status == 404 && r.errorCode == "SubscriptionNotFound" && r.errorTarget == "subscriptionId", "\(r.text)")
        }
        #expect(try f.service.galleries.list(subscription: Self.other, resourceGroup: nil).isEmpty, "nothing was written")
    }
}
