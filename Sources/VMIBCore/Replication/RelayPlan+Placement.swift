extension RelayPlan {
    /// A tree at one rate: each region's sender, the placement order, and the regions fed
    /// slower (at their downlink).
    struct Placement {
        var parent: [String: String]
        var order: [String]
        var slower: [String: Int64] = [:]
    }

    /// Every node at `rate`, or nil. The regions whose ceiling reaches `rate` form the tree,
    /// each sender taking floor(uplink / rate) children; each slower region then receives at
    /// its ceiling, from the shallowest sender it may fetch from that receives at least as
    /// fast and has that much uplink to spare (a slower region may feed another).
    /// - Parameter budget: search steps left for the whole plan (see `search`).
    static func place(_ nodes: [Node], ceilings: [String: Int64], originUplink: Int64, rate: Int64, budget: inout Int) -> Placement? {
        let full = nodes.filter { ceilings[$0.name, default: 0] >= rate }
        var uplink = [origin: originUplink]
        for n in full { uplink[n.name] = n.uplink }
        let slots = uplink.mapValues { $0 / rate }
        guard var tree = greedy(full, slots: slots) ?? search(full, slots: slots, budget: &budget) else { return nil }
        var spare = uplink
        for (_, p) in tree.parent { spare[p, default: 0] -= rate }
        var waiting = nodes.filter { ceilings[$0.name, default: 0] < rate }.sorted {
            (ceilings[$0.name]!, $0.uplink, $1.name) > (ceilings[$1.name]!, $1.uplink, $0.name)
        }
        var progress = true
        while !waiting.isEmpty && progress {
            progress = false
            var still: [Node] = []
            for n in waiting {
                let c = ceilings[n.name]!
                if let s = ([origin] + tree.order).first(where: {
                    spare[$0, default: 0] >= c && (tree.slower[$0] ?? .max) >= c && n.canFetch(from: $0)
                }) {
                    spare[s, default: 0] -= c; spare[n.name] = n.uplink
                    tree.parent[n.name] = s; tree.order.append(n.name); tree.slower[n.name] = c
                    progress = true
                } else {
                    still.append(n)
                }
            }
            waiting = still
        }
        return waiting.isEmpty ? tree : nil
    }

    /// The most each node could receive at: the widest path from the origin through the
    /// sources it may fetch from, each hop bounded by the sender's uplink and the receiver's
    /// downlink. 0 for a node no sender with an uplink reaches.
    static func ceilings(_ nodes: [Node], originUplink: Int64) -> [String: Int64] {
        var ceiling: [String: Int64] = [:]
        var changed = true
        while changed {
            changed = false
            for n in nodes {
                var via: Int64 = n.canFetch(from: origin) ? originUplink : 0
                for m in nodes where m.name != n.name && n.canFetch(from: m.name) {
                    via = max(via, min(ceiling[m.name, default: 0], m.uplink))
                }
                let c = min(n.downlink, via)
                if c > ceiling[n.name, default: 0] { ceiling[n.name] = c; changed = true }
            }
        }
        return ceiling
    }

    /// Breadth-first: senders in placement order each fill their slots, receivers by uplink,
    /// highest first (ties by name, for a stable plan). Optimal without fetchFrom: the
    /// highest uplinks placed first open the most slots, and sit nearest the origin.
    private static func greedy(_ nodes: [Node], slots: [String: Int64]) -> Placement? {
        var slots = slots
        var senders = [origin]
        var parent: [String: String] = [:], order: [String] = []
        var waiting = nodes.sorted { ($0.uplink, $1.name) > ($1.uplink, $0.name) }
        var progress = true
        while !waiting.isEmpty && progress {
            progress = false
            var still: [Node] = []
            for n in waiting {
                if let s = senders.first(where: { slots[$0, default: 0] > 0 && n.canFetch(from: $0) }) {
                    slots[s, default: 0] -= 1
                    parent[n.name] = s; order.append(n.name); senders.append(n.name)
                    progress = true
                } else {
                    still.append(n)
                }
            }
            waiting = still
        }
        return waiting.isEmpty ? Placement(parent: parent, order: order) : nil
    }

    /// Any tree within `slots`, depth-first over each region's sender, the most constrained
    /// region first. The greedy placement misses some under fetchFrom: it can give the
    /// origin's one slot to a region that could have fetched from another, leaving none for
    /// a region that may fetch only from the origin. Nil when there is none, or none within
    /// `budget` steps, shared by every rate tried (a bound on planning time; the caller then
    /// tries a lower rate, and without budget settles for the greedy placement's).
    private static func search(_ nodes: [Node], slots: [String: Int64], budget: inout Int) -> Placement? {
        let senders = [origin] + nodes.sorted { ($0.uplink, $1.name) > ($1.uplink, $0.name) }.map(\.name)
        let choices = nodes.map { n in (n, senders.filter { $0 != n.name && slots[$0, default: 0] > 0 && n.canFetch(from: $0) }) }
        // Quick refusals, which settle most rates above the best one.
        guard choices.allSatisfy({ !$0.1.isEmpty }), slots.values.reduce(0, +) >= Int64(nodes.count) else { return nil }
        let ordered = choices.sorted { ($0.1.count, $1.0.uplink, $0.0.name) < ($1.1.count, $0.0.uplink, $1.0.name) }
        var left = slots, parent: [String: String] = [:], steps = budget
        defer { budget = max(0, steps) }

        func reaches(_ from: String, _ target: String) -> Bool {
            var at = from
            while at != target {
                guard let p = parent[at] else { return false }
                at = p
            }
            return true
        }
        func assign(_ i: Int) -> Bool {
            guard i < ordered.count else { return true }
            let (n, options) = ordered[i]
            // A sender that already hangs below n would close a loop cut off from the origin.
            for p in options where left[p, default: 0] > 0 && !reaches(p, n.name) {
                steps -= 1
                guard steps >= 0 else { return false }
                left[p, default: 0] -= 1; parent[n.name] = p
                if assign(i + 1) { return true }
                left[p, default: 0] += 1; parent[n.name] = nil
            }
            return false
        }
        guard assign(0) else { return nil }
        // Parents before children, for the caller and for the slower regions' leaves.
        var order: [String] = [], queue = [origin]
        while !queue.isEmpty {
            let at = queue.removeFirst()
            let kids = senders.filter { parent[$0] == at }
            order += kids; queue += kids
        }
        return Placement(parent: parent, order: order)
    }
}
