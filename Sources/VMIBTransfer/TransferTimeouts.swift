/// How long a transfer may hang before it counts as failed (and retryable).
///
/// There is deliberately no overall timeout: a 50 GB upload at a region's rate limit may
/// legitimately take hours. A dead or stuck server is caught by the low-speed limit instead.
public struct TransferTimeouts: Sendable, Hashable {
    /// Seconds to establish the TCP (and TLS) connection.
    public var connect: Double
    /// The transfer is aborted when it moves fewer than this many bytes per second for
    /// `lowSpeedWindow` seconds in a row. A pacer counts against this: keep a region's
    /// bytes/s limit divided by its concurrent transfers well above it.
    public var lowSpeedBytesPerSecond: Int
    /// Seconds below `lowSpeedBytesPerSecond` before the transfer is aborted.
    public var lowSpeedWindow: Int

    public init(connect: Double = 10, lowSpeedBytesPerSecond: Int = 1024, lowSpeedWindow: Int = 30) {
        self.connect = connect
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedWindow = lowSpeedWindow
    }
}
