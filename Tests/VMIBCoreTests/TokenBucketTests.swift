import Testing
@testable import VMIBCore

@Suite struct TokenBucketTests {
    @Test func unlimitedNeverWaits() {
        var b = TokenBucket(rate: 0)
        #expect(b.take(1e12, now: .zero) == .zero)
    }

    @Test func longRunThroughputEqualsRateInVirtualTime() {
        // 1 MB/s, 64 KiB chunks sent as soon as allowed for 20 virtual seconds.
        var bucket = TokenBucket(rate: 1_000_000, capacity: 50_000)
        var now = Duration.zero
        var sent = 0.0
        while now < .seconds(20) {
            now += bucket.take(65_536, now: now)
            sent += 65_536
        }
        let rate = sent / 20
        #expect(abs(rate - 1_000_000) / 1_000_000 < 0.01)
    }

    @Test func idleTimeRefillsOnlyUpToCapacity() {
        var b = TokenBucket(rate: 10, capacity: 5)
        _ = b.take(5, now: .zero)
        #expect(b.take(5, now: .seconds(100)) == .zero)
        #expect(b.take(10, now: .seconds(100)) == .seconds(1))
    }
}
