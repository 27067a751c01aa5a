import VMIBCore

/// Hears what the controller does, for live progress. Calls come from many threads.
public protocol ReplicationObserver: Sendable {
    /// Bytes sent so far for one replica's upload.
    func progressed(region: String, index: Int, bytes: Int64)
    /// A replica record changed state (persisted before this is called).
    func changed(_ replica: Replica)
}
