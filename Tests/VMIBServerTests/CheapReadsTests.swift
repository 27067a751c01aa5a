import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VMIBCore
@testable import VMIBServer
@testable import VMIBService

/// Reads served from memory: a version's JSON once per ETag, 304 for a client's current
/// copy, If-Match on the generation alone, and /metrics from one grouped query.
@Suite struct CheapReadsTests {
    static let versions = ServerFixture.base() + "/g1/images/i1/versions"
    static let expanded = versions + "/1.0.0?$expand=ReplicationStatus"
    static let ref = ServerFixture.image
        .version(VersionNumber(1, 0, 0))

    func publish(_ client: some TestClientProtocol, _ f: ServerFixture) async throws {
        _ = try await client.call(.put, "\(ServerFixture.base())/g1", body: ServerFixture.galleryBody)
        _ = try await client.call(.put, "\(ServerFixture.base())/g1/images/i1", body: ServerFixture.imageBody)
        let created = try await client.call(.put, "\(Self.versions)/1.0.0", body: f.versionBody())
        #expect(created.status == 201, "\(created.text)")
    }

    @Test func servesTheSameBodyUntilAReplicaChangesThenANewETagAndBody() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await publish(client, f)
            let first = try await client.call(.get, Self.expanded)
            let second = try await client.call(.get, Self.expanded)
            #expect(first.status == 200 && second.status == 200)
            #expect(first.text == second.text)
            let etag = try #require(first.headers[.eTag])
            #expect(second.headers[.eTag] == etag)
            #expect(f.api.versionRenders.count == 1)

            _ = try await f.service.versions.reconcile(Self.ref)
            let after = try await client.call(.get, Self.expanded)
            #expect(after.headers[.eTag] != etag)
            #expect(after.text != first.text)
            let status = (after.json["properties"] as? [String: Any])?["replicationStatus"] as? [String: Any]
            #expect(status?["aggregatedState"] as? String == "Completed")
            // The plain and the expanded rendering are kept apart.
            let plain = try await client.call(.get, "\(Self.versions)/1.0.0")
            #expect((plain.json["properties"] as? [String: Any])?["replicationStatus"] == nil)
            #expect(plain.headers[.eTag] == after.headers[.eTag])
        }
    }

    @Test func ifNoneMatchWithTheCurrentETagAnswers304WithoutABody() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await publish(client, f)
            let old = try #require(try await client.call(.get, Self.expanded).headers[.eTag])
            _ = try await f.service.versions.reconcile(Self.ref)
            let current = try #require(try await client.call(.get, Self.expanded).headers[.eTag])

            let notModified = try await client.conditional(.get, Self.expanded, .ifNoneMatch, current)
            #expect(notModified.status == 304)
            #expect(notModified.text.isEmpty)
            #expect(notModified.headers[.eTag] == current)
            #expect(try await client.conditional(.get, Self.expanded, .ifNoneMatch, "W/\(current)").status == 304)

            let changed = try await client.conditional(.get, Self.expanded, .ifNoneMatch, old)
            #expect(changed.status == 200)
            #expect(changed.headers[.eTag] == current)
            #expect(!changed.text.isEmpty)

            // Galleries and image definitions too.
            let gallery = "\(ServerFixture.base())/g1"
            let galleryTag = try #require(try await client.call(.get, gallery).headers[.eTag])
            #expect(try await client.conditional(.get, gallery, .ifNoneMatch, galleryTag).status == 304)
        }
    }

    @Test func ifMatchComparesTheGenerationSoTheControllersProgressDoesNotFailAWrite() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await publish(client, f)
            let seen = try #require(try await client.call(.get, Self.expanded).headers[.eTag])
            _ = try await f.service.versions.reconcile(Self.ref)
            #expect(try await client.call(.get, Self.expanded).headers[.eTag] != seen)

            let patch = #"{"tags":{"team":"a"}}"#
            let patched = try await client.conditional(.patch, "\(Self.versions)/1.0.0", .ifMatch, seen, body: patch)
            #expect(patched.status == 200, "\(patched.text)")
            let newTag = try #require(patched.headers[.eTag])
            #expect(newTag != seen)
            // The PATCH answer's ETag is the one a GET gives now.
            #expect(try await client.call(.get, "\(Self.versions)/1.0.0").headers[.eTag] == newTag)

            // The ETag seen before the PATCH names an older generation: refused.
            let stale = try await client.conditional(.patch, "\(Self.versions)/1.0.0", .ifMatch, seen, body: #"{"tags":{"team":"b"}}"#)
            #expect(stale.status == 412)
            #expect(stale.errorCode == "PreconditionFailed")
            // The CLI's --if-match sends the bare generation: still honoured.
            let generation = String(newTag.dropFirst().prefix { $0 != "." })
            let bare = try await client.conditional(.patch, "\(Self.versions)/1.0.0", .ifMatch, "\"\(generation)\"", body: #"{"tags":{"team":"c"}}"#)
            #expect(bare.status == 200, "\(bare.text)")
        }
    }

    @Test func metricsCountEveryReplicaByRegionAndState() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await publish(client, f)
            let two = #"[{"name":"eastus","regionalReplicaCount":2},{"name":"westus","regionalReplicaCount":3}]"#
            let created = try await client.call(.put, "\(Self.versions)/2.0.0", body: f.versionBody(regions: two))
            #expect(created.status == 201, "\(created.text)")
            _ = try await f.service.versions.reconcile(Self.ref)

            let text = try await client.call(.get, "/metrics", token: nil, apiVersion: nil).text
            var expected: [String: Int] = [:]
            for version in [Self.ref, Self.ref.image.version(VersionNumber(2, 0, 0))] {
                for r in try f.service.versions.details(version).replicas { expected["\(r.region)/\(r.state.rawValue)", default: 0] += 1 }
            }
            #expect(expected == ["eastus/Completed": 2, "eastus/Pending": 2, "westus/Pending": 3])
            for (key, count) in expected {
                let parts = key.split(separator: "/")
                let line = #"vmib_replicas{region="\#(parts[0])",state="\#(parts[1])"} \#(Double(count))"#
                #expect(text.contains(line), "missing \(line) in:\n\(text)")
            }
        }
    }

    @Test func censusIsReadAgainOnlyAfterItsMaxAge() throws {
        final class ManualTime: Sendable { let now = Mutex(ContinuousClock.now) }
        let time = ManualTime()
        let census = ExpiringValue<Int>(maxAge: .seconds(1), now: { time.now.withLock { $0 } })
        var reads = 0
        func read() -> Int { reads += 1; return reads }
        #expect(census.value(reading: read) == 1)
        time.now.withLock { $0 += .milliseconds(999) }
        #expect(census.value(reading: read) == 1)
        time.now.withLock { $0 += .milliseconds(1) }
        #expect(census.value(reading: read) == 2)
        #expect(reads == 2)
    }

    @Test func renderCacheKeepsItsBoundsAndDropsTheLeastRecentlyUsed() {
        let cache = RenderCache<Int>(maxEntries: 8, maxBytes: 1 << 20)
        for i in 0..<8 { cache.store(ByteBuffer(string: "\(i)"), for: .init(id: "/R/\(i)"), at: 1) }
        _ = cache.body(for: .init(id: "/r/0"), at: 1)
        cache.store(ByteBuffer(string: "8"), for: .init(id: "/r/8"), at: 1)
        #expect(cache.count == 8)
        #expect(cache.body(for: .init(id: "/r/0"), at: 1) != nil)
        #expect(cache.body(for: .init(id: "/r/1"), at: 1) == nil)
        // Another validator is a miss; storing it replaces the entry.
        #expect(cache.body(for: .init(id: "/r/8"), at: 2) == nil)
        cache.store(ByteBuffer(string: "8b"), for: .init(id: "/r/8"), at: 2)
        #expect(cache.body(for: .init(id: "/r/8"), at: 2) == ByteBuffer(string: "8b"))
        #expect(cache.body(for: .init(id: "/r/8"), at: 1) == nil)
        // Too large for the byte budget: not kept.
        cache.store(ByteBuffer(repeating: 0, count: 1 << 18), for: .init(id: "/r/big"), at: 1)
        #expect(cache.body(for: .init(id: "/r/big"), at: 1) == nil)
    }
}

extension TestClientProtocol {
    /// A request with one conditional header (If-Match, If-None-Match).
    func conditional(_ method: HTTPRequest.Method, _ path: String, _ name: HTTPField.Name, _ value: String,
                     body: String? = nil) async throws -> Reply {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer admin-token"
        headers[name] = value
        if body != nil { headers[.contentType] = "application/json" }
        let uri = path + (path.contains("?") ? "&" : "?") + "api-version=2025-03-03"
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            Reply(status: Int(r.status.code), headers: r.headers, text: String(buffer: r.body))
        }
    }
}
