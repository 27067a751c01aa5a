import Foundation
import Synchronization
import Testing
import VMIBTestSupport

/// A region's limits are one budget: versions replicating at once through `vmib serve` into
/// one capped region share its bytes per second (the sum holds the cap), where each used to
/// get the whole cap. Timing-sensitive: scripts/test runs it alone, after the parallel suite.
@Suite(.serialized) struct RegionLimitSharedBudgetTests {
    static let cap = 2_000_000
    static let size = 3_000_000

    @Test(arguments: [2, 5])
    func versionsReplicatingAtOnceShareTheRegionsBytesPerSecond(versions: Int) async throws {
        let s = try await CappedServer.start("vmib-budget", regions: [("eastus", Self.cap)])
        defer { s.stop() }
        let disks = try (0..<versions).map { try s.disk("disk\($0).raw", bytes: Self.size, seed: UInt64($0 + 1)) }

        let start = ContinuousClock.now
        try await s.publishAtOnce(disks)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(versions * Self.size) / seconds
        print("budget: \(versions) versions × \(Self.size) B into one region capped at \(Self.cap) B/s: \(String(format: "%.2f", seconds)) s, \(Int(rate)) B/s (\(String(format: "%.3f", rate / Double(Self.cap))) × the cap)")
        for i in 0..<versions {
            #expect(try await s.show("1.0.\(i)").properties["provisioningState"] as? String == "Succeeded")
        }
        // The sum holds the cap (within 10 %): with a budget per version it was versions × the cap.
        #expect(rate <= Double(Self.cap) * 1.1, "\(rate) B/s for a cap of \(Self.cap)")
        #expect(rate >= Double(Self.cap) * 0.5, "\(rate) B/s: far below the cap, something else is slow")
    }

    /// Concurrent transfers are one budget: three versions at once into a region that allows
    /// one transfer never have two uploads in flight (a directory region writes each into a
    /// temporary file until it is complete; they are counted while the versions replicate).
    @Test func versionsReplicatingAtOnceShareTheRegionsConcurrentTransfers() async throws {
        let s = try await CappedServer.start("vmib-gate", regions: [("eastus", 3_000_000)], concurrentTransfers: 1)
        defer { s.stop() }
        let disks = try (0..<3).map { try s.disk("disk\($0).raw", bytes: 1_500_000, seed: UInt64($0 + 7)) }
        let region = s.stateDirectory + "/regions/eastus"
        let most = Mutex(0)
        let watching = Task {
            while !Task.isCancelled {
                let inFlight = (FileManager.default.enumerator(atPath: region)?.compactMap { $0 as? String } ?? [])
                    .filter { $0.hasSuffix(".tmp") }.count
                most.withLock { $0 = max($0, inFlight) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try await s.publishAtOnce(disks)
        watching.cancel()
        print("gate: at most \(most.withLock { $0 }) upload(s) in flight at once in a region allowing 1")
        #expect(most.withLock { $0 } == 1)
    }
}
