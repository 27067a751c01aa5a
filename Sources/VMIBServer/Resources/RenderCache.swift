import NIOCore
import Synchronization

/// Resources' JSON as rendered, kept in memory with what it was rendered from (a version's
/// `VersionTag`; a gallery's generation and envelope), so a GET of an unchanged resource
/// costs one small read and no encoding. One entry per resource and variant (`$expand`):
/// a newer rendering replaces the older. Bounded by entries and bytes; past either bound
/// the least recently used eighth goes at once (a sort per eviction, not per request).
final class RenderCache<Validator: Hashable & Sendable>: Sendable {
    struct Key: Hashable, Sendable {
        /// Lower-cased: Resource Manager ids are case-insensitive.
        var id: String
        var variant: Int

        init(id: String, variant: Int = 0) { self.id = id.lowercased(); self.variant = variant }
    }

    private struct Entry {
        var validator: Validator
        var body: ByteBuffer
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    let maxEntries: Int
    let maxBytes: Int
    private let state = Mutex(State())

    init(maxEntries: Int = 4096, maxBytes: Int = 64 << 20) {
        self.maxEntries = maxEntries; self.maxBytes = maxBytes
    }

    /// The body rendered for `key` from exactly `validator`, if it is still here.
    func body(for key: Key, at validator: Validator) -> ByteBuffer? {
        state.withLock { s in
            guard let entry = s.entries[key], entry.validator == validator else { return nil }
            s.clock += 1
            s.entries[key]?.lastUse = s.clock
            return entry.body
        }
    }

    /// Keeps `body` as the rendering of `key` at `validator`. A body larger than an eighth of
    /// the byte budget is not kept (it would push out everything else).
    func store(_ body: ByteBuffer, for key: Key, at validator: Validator) {
        guard body.readableBytes <= maxBytes / 8 else { return }
        state.withLock { s in
            s.clock += 1
            if let old = s.entries.updateValue(Entry(validator: validator, body: body, lastUse: s.clock), forKey: key) {
                s.bytes -= old.body.readableBytes
            }
            s.bytes += body.readableBytes
            guard s.entries.count > maxEntries || s.bytes > maxBytes else { return }
            let oldest = s.entries.sorted { $0.value.lastUse < $1.value.lastUse }
            let quota = max(1, s.entries.count / 8)
            var evicted = 0
            for (k, e) in oldest where evicted < quota || s.bytes > maxBytes {
                s.entries[k] = nil
                s.bytes -= e.body.readableBytes
                evicted += 1
            }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
