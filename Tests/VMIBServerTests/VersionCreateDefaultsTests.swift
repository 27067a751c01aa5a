import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer
@testable import VMIBService

/// GalleryRP 2026-03-03: a version created without an end of life gets one six months after
/// its published date, with deletion blocked before it; older api-versions keep neither.
@Suite struct VersionCreateDefaultsTests {
    static let new = "2026-03-03", old = "2025-03-03"

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func date(_ text: Any?) throws -> Date {
        try Date(try #require(text as? String), strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func profiles(_ reply: Reply) -> (publishing: [String: Any], safety: [String: Any]) {
        let p = reply.json["properties"] as? [String: Any] ?? [:]
        return (p["publishingProfile"] as? [String: Any] ?? [:], p["safetyProfile"] as? [String: Any] ?? [:])
    }

    @Test func onlyTheNewestComputeAPIVersionDefaultsTheLifecycle() {
        for version in APIVersion.compute {
            let d = VersionBody.CreateDefaults(apiVersion: version)
            let applies = version == Self.new
            #expect(d.endOfLifeMonthsAfterPublishing == (applies ? 6 : nil), "\(version)")
            #expect(d.blockDeletionBeforeEndOfLife == applies, "\(version)")
        }
    }

    @Test func createdUnder20260303EndsSixMonthsAfterPublishingAndRefusesDeletion() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = ServerFixture.image
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage(apiVersion: Self.new)
            let created = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody(), apiVersion: Self.new)
            #expect(created.status == 201, "\(created.text)")
            let (publishing, safety) = Self.profiles(created)
            let published = try Self.date(publishing["publishedDate"])
            let endOfLife = try Self.date(publishing["endOfLifeDate"])
            let sixMonths = try #require(Self.utc.date(byAdding: .month, value: 6, to: published))
            #expect(abs(endOfLife.timeIntervalSince(sixMonths)) < 0.002, "\(publishing)")
            #expect(safety["blockDeletionBeforeEndOfLife"] as? Bool == true)
            // Exactly six calendar months in the record (the answer's dates are to the millisecond).
            let stored = try f.service.versions.details(ref).version
            #expect(stored.publishingProfile.endOfLifeDate == Self.utc.date(byAdding: .month, value: 6, to: stored.publishingProfile.publishedDate))
            let months = Self.utc.dateComponents([.month, .day], from: stored.publishingProfile.publishedDate,
                                                 to: try #require(stored.publishingProfile.endOfLifeDate))
            #expect(months.month == 6 && months.day == 0)
            _ = try await f.service.versions.reconcile(ref)

            // The version is blocked from deletion until its end of life, under any api-version.
            for apiVersion in [Self.new, Self.old] {
                let refused = try await client.call(.delete, "\(v)/1.0.0", apiVersion: apiVersion)
                #expect(refused.status == 409 && refused.errorCode == "OperationNotAllowed", "\(refused.text)")
                #expect(refused.text.contains("blockDeletionBeforeEndOfLife"), "\(refused.text)")
            }
            #expect(try f.service.versions.details(ref).version.provisioningState == .Succeeded)
            #expect(try await client.call(.get, "\(v)/1.0.0", apiVersion: Self.new).status == 200)
        }
    }

    @Test func createdUnder20250303HasNoEndOfLifeAndDeletes() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = ServerFixture.image
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage(apiVersion: Self.old)
            let created = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody(), apiVersion: Self.old)
            #expect(created.status == 201, "\(created.text)")
            let (publishing, safety) = Self.profiles(created)
            #expect(publishing["endOfLifeDate"] == nil, "\(publishing)")
            #expect(safety["blockDeletionBeforeEndOfLife"] as? Bool == false)
            _ = try await f.service.versions.reconcile(ref)

            // A PUT of the existing version under 2026-03-03 changes it in place: no defaults.
            let again = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody(), apiVersion: Self.new)
            #expect(again.status == 200, "\(again.text)")
            #expect(Self.profiles(again).publishing["endOfLifeDate"] == nil, "\(again.text)")
            #expect(Self.profiles(again).safety["blockDeletionBeforeEndOfLife"] as? Bool == false)

            #expect(try await client.call(.delete, "\(v)/1.0.0", apiVersion: Self.new).status == 202)
            #expect(try f.service.versions.details(ref).version.provisioningState == .Deleting)
        }
    }

    @Test func explicitEndOfLifeAndExplicitUnblockedDeletionAreKeptUnder20260303() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let image = ServerFixture.image
        @Sendable func body(publishing: String = "", safety: String? = nil) -> String {
            var s = f.versionBody()
            if !publishing.isEmpty { s = s.replacingOccurrences(of: #""targetRegions""#, with: publishing + #","targetRegions""#) }
            if let safety { s = s.replacingOccurrences(of: #""storageProfile""#, with: #""safetyProfile":\#(safety),"storageProfile""#) }
            return s
        }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage(apiVersion: Self.new)

            // An end of life of the body's own: kept; deletion still blocked by default.
            let dated = try await client.call(.put, "\(v)/1.0.0", body: body(publishing: #""endOfLifeDate":"2031-01-15T00:00:00Z""#),
                                              apiVersion: Self.new)
            #expect(dated.status == 201, "\(dated.text)")
            #expect(try Self.date(Self.profiles(dated).publishing["endOfLifeDate"]) == (try ISO8601.parse("2031-01-15", field: .named("t"))))
            #expect(Self.profiles(dated).safety["blockDeletionBeforeEndOfLife"] as? Bool == true)

            // Deletion explicitly allowed: kept (the end of life is still defaulted), and the delete goes ahead.
            let unblocked = try await client.call(.put, "\(v)/2.0.0", body: body(safety: #"{"blockDeletionBeforeEndOfLife":false}"#),
                                                  apiVersion: Self.new)
            #expect(unblocked.status == 201, "\(unblocked.text)")
            #expect(Self.profiles(unblocked).safety["blockDeletionBeforeEndOfLife"] as? Bool == false)
            #expect(Self.profiles(unblocked).publishing["endOfLifeDate"] != nil)
            let two = image.version(VersionNumber(2, 0, 0))
            _ = try await f.service.versions.reconcile(two)
            #expect(try await client.call(.delete, "\(v)/2.0.0", apiVersion: Self.new).status == 202)
            #expect(try f.service.versions.details(two).version.provisioningState == .Deleting)

            // An end of life already past with the default block: deletable.
            let past = try await client.call(.put, "\(v)/3.0.0", body: body(publishing: #""endOfLifeDate":"2020-01-01""#),
                                             apiVersion: Self.new)
            #expect(past.status == 201, "\(past.text)")
            #expect(Self.profiles(past).safety["blockDeletionBeforeEndOfLife"] as? Bool == true)
            _ = try await f.service.versions.reconcile(image.version(VersionNumber(3, 0, 0)))
            #expect(try await client.call(.delete, "\(v)/3.0.0", apiVersion: Self.new).status == 202)
        }
    }
}
