import Testing
@testable import VMIBCore

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(10))

    @Test func backoffDoublesUpToTheCapWithFullJitter() {
        #expect(policy.delay(after: 1, retryAfter: nil, unit: 0.999) ?? .zero <= .seconds(1))
        #expect(policy.delay(after: 2, retryAfter: nil, unit: 0.5) == .seconds(1))
        #expect(policy.delay(after: 3, retryAfter: nil, unit: 0.5) == .seconds(2))
        #expect(policy.delay(after: 4, retryAfter: nil, unit: 1.0) == .seconds(8))
        #expect(policy.delay(after: 4, retryAfter: nil, unit: 0) == .zero)
    }

    @Test func capsTheCeiling() {
        let long = RetryPolicy(maxAttempts: 40, baseDelay: .seconds(1), maxDelay: .seconds(10))
        #expect(long.delay(after: 30, retryAfter: nil, unit: 1.0) == .seconds(10))
    }

    @Test func retryAfterIsAFloor() {
        #expect(policy.delay(after: 1, retryAfter: .seconds(7), unit: 0.1) == .seconds(7))
        #expect(policy.delay(after: 4, retryAfter: .seconds(1), unit: 1.0) == .seconds(8))
    }

    @Test func givesUpAfterMaxAttempts() {
        #expect(policy.delay(after: 5, retryAfter: nil, unit: 0.5) == nil)
        #expect(policy.delay(after: 5, retryAfter: .seconds(1), unit: 0.5) == nil)
    }
}
