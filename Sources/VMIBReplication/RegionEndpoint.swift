import VMIBCore
import VMIBTransfer

/// What the controller needs of one served region at run time: its stores per account
/// type and the limiter shared by every transfer into it.
public struct RegionEndpoint: Sendable {
    public var name: String
    public var stores: [StorageAccountType: any BlobStore]
    public var gate: ConcurrencyGate
    public var requests: RequestPacer
    /// nil when bytes/s is unlimited.
    public var bytes: (any BytePacer)?
    /// When the region's Completed replicas are re-verified on the controller's own schedule.
    public var scrub: ScrubSchedule
    /// The limits the gate and pacers enforce (a region's agent is told its bytes/s).
    public var limits: RegionLimits

    public init(name: String, stores: [StorageAccountType: any BlobStore], limits: RegionLimits,
                scrub: ScrubSchedule = .off,
                clock: any Clock<Duration>, now: @escaping @Sendable () -> Duration) {
        self.name = name
        self.stores = stores
        self.scrub = scrub
        self.limits = limits
        self.gate = ConcurrencyGate(limit: limits.concurrentTransfers)
        self.requests = RequestPacer(requestsPerSecond: limits.requestsPerSecond, clock: clock, now: now)
        self.bytes = limits.bytesPerSecond > 0 ? ThreadBytePacer(bytesPerSecond: limits.bytesPerSecond) : nil
    }
}
