import Foundation
import Testing
import VMIBCore
import VMIBService
import VMIBStore
import VMIBTestSupport

/// Template runs when several servers share a PostgreSQL store: a run is taken over only
/// once no server renewed its lease for a lease's time, never from a live server, and a run
/// whose workspace is not on the server taking it over ends Failed, saying why.
@Suite(.serialized) struct SharedStoreRunTests {
    /// Two services (two servers) on one new database, with 2 s leases (renewed every 0.67 s:
    /// a renewal late by more than a lease, on a loaded machine, would let the other take over).
    static func pair() async throws -> (ServiceFixture, ServiceFixture, String) {
        let name = "runs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let url = try SQLStateStore.createPostgresDatabase(name, on: try TestPostgres.url())
        let configure: (inout ServiceConfiguration) -> Void = { $0.store = url; $0.leaseDuration = 2 }
        return (try ServiceFixture("vmib-shared-a", configure: configure), try ServiceFixture("vmib-shared-b", configure: configure), url)
    }

    @Test func aRunIsTakenOverOnlyAfterItsServersLeaseRanOut() async throws {
        let (a, b, url) = try await Self.pair()
        defer { a.removeAll(); b.removeAll() }
        let key = try a.key("t")
        _ = try a.service.templates.create(CreateTemplateRequest(key: key, document: TemplateRunTests.vhdBody))
        let run = try a.service.runs.start(key)
        // The server carrying it out holds its lease; then it dies (nothing renews the lease).
        let store = try SQLStateStore(postgres: url)
        _ = try #require(try store.acquireLease("run:\(run.id)", holder: "server-that-dies", at: Date(), for: 1))
        #expect(try b.service.runs.adoptAbandoned().isEmpty, "the lease still runs")
        try await Task.sleep(for: .milliseconds(2300))
        let adopted = try b.service.runs.adoptAbandoned()
        #expect(adopted.map(\.id) == [run.id])
        let now = try b.service.runs.get(id: run.id)
        #expect(now.state == .Running && now.workerPID == getpid() && now.message.contains("resuming"), "\(now)")
        let lease = try #require(try store.lease("run:\(run.id)"))
        #expect(lease.token == 2 && lease.holder != "server-that-dies")
        #expect(try a.service.runs.adoptAbandoned().isEmpty, "b holds it now")
        try await Task.sleep(for: .milliseconds(2300))
        #expect(try a.service.runs.adoptAbandoned().isEmpty, "b renews its lease")
    }

    @Test func aRunWhoseWorkspaceIsElsewhereEndsFailed() async throws {
        let (a, b, _) = try await Self.pair()
        defer { a.removeAll(); b.removeAll() }
        let key = try a.key("t")
        _ = try a.service.templates.create(CreateTemplateRequest(key: key, document: TemplateRunTests.vhdBody))
        let run = try a.service.runs.start(key)
        try FileManager.default.removeItem(atPath: run.staging)   // on the server that stopped
        #expect(try b.service.runs.adoptAbandoned().isEmpty, "a run younger than a lease is about to be taken")
        try await Task.sleep(for: .milliseconds(2300))
        #expect(try b.service.runs.adoptAbandoned().isEmpty)
        let ended = try b.service.runs.get(id: run.id)
        #expect(ended.state == .Failed && ended.message.contains("is not on this server"), "\(ended)")
    }
}
