/// How hard vmib may use one region's storage endpoint. `0` means unlimited.
public struct RegionLimits: Sendable, Hashable, Codable {
    public var concurrentTransfers: Int
    public var bytesPerSecond: Int64
    public var requestsPerSecond: Double

    public static let `default` = RegionLimits(concurrentTransfers: 4, bytesPerSecond: 0, requestsPerSecond: 0)

    public init(concurrentTransfers: Int, bytesPerSecond: Int64, requestsPerSecond: Double) {
        self.concurrentTransfers = concurrentTransfers
        self.bytesPerSecond = bytesPerSecond
        self.requestsPerSecond = requestsPerSecond
    }
}
