import Foundation

/// Wall-clock timing and memory figures.
enum Measure {
    /// Seconds `body` took, and its result.
    static func seconds<T>(_ body: () async throws -> T) async rethrows -> (Double, T) {
        let start = ContinuousClock.now
        let value = try await body()
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, value)
    }

    /// Seconds a synchronous `body` took, and its result.
    static func secondsSync<T>(_ body: () throws -> T) rethrows -> (Double, T) {
        let start = ContinuousClock.now
        let value = try body()
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, value)
    }

    /// The process's peak resident set so far (VmHWM), in KiB.
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
        }
        return -1
    }

    /// CPU seconds (user + system) this process has used so far, all threads.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Median of `values` (which must not be empty).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func report(_ name: String, _ value: Any) { print("\(name)=\(value)") }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
}
