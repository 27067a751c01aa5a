/// Why the controller could not reconcile a version at all (as opposed to a region failing,
/// which is recorded in the replicas and the status).
public struct ReplicationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case versionNotFound
        /// A target region is not served by this deployment's topology, or lacks the storage type.
        case regionNotServed
        /// The origin copy of the disk is missing.
        case originMissing
    }
    public var code: Code
    public var message: String
    public var isTransient: Bool { false }
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { message }
}
