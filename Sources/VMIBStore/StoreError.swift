/// Why the state store refused or failed a call.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The record exists already (a name is taken).
        case alreadyExists
        /// A parent or the record itself is missing.
        case notFound
        /// The change would break an invariant (e.g. deleting a gallery that has images).
        case refused
        /// A compare-and-set lost: the record's generation is not the one the change was based on.
        case conflict
        /// A write of leased work carried a fencing token older than the key's lease: another
        /// server took the work over, and this server's late write was refused.
        case fenced
        /// The database failed (I/O, corruption, schema too new); transient or terminal per `isTransient`.
        case database
    }

    public var code: Code
    public var message: String
    /// True for a busy/locked database, which a retry can get past.
    public var isTransient: Bool

    public init(_ code: Code, _ message: String, isTransient: Bool = false) {
        self.code = code; self.message = message; self.isTransient = isTransient
    }

    public var description: String { message }
}
