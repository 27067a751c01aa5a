import Foundation

/// Waits for an observable condition instead of sleeping a fixed time: polls `condition`
/// until it holds, and fails only after a generous `timeout`, naming what it waited for.
/// A fixed sleep is either too short on a loaded 2-core machine or wasted everywhere else.
/// - Throws: `TestSupportError("timed out after …: <what>")`, or what `condition` throws.
public func waitUntil(_ what: String, timeout: Duration = .seconds(60), poll: Duration = .milliseconds(50),
                      _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return }
        guard clock.now < deadline else { throw TestSupportError("timed out after \(timeout): \(what)") }
        try await Task.sleep(for: poll)
    }
}
