/// What the operator says storage, transfers and build minutes cost, from the topology's
/// optional `"prices"`. vmib never learns real prices: figures made with a sheet are
/// estimates, and say so.
public struct PriceSheet: Sendable, Hashable, Codable {
    /// The key of a price that applies where no more specific one is given.
    public static let fallback = "default"
    /// The `transferPerGiB` key of copies inside one region.
    public static let inRegion = "inRegion"

    /// A label for the figures (`USD`); vmib converts nothing.
    public var currency: String
    /// Storage account type → region (or `default`) → price per GiB-month.
    public var storagePerGiBMonth: [String: [String: Double]]
    /// `FROM->TO` (FROM a region or `origin`), `inRegion` or `default` → price per GiB moved.
    public var transferPerGiB: [String: Double]
    /// Price per minute of a template run.
    public var buildPerMinute: Double?

    public init(currency: String = "USD", storagePerGiBMonth: [String: [String: Double]] = [:],
                transferPerGiB: [String: Double] = [:], buildPerMinute: Double? = nil) {
        self.currency = currency; self.storagePerGiBMonth = storagePerGiBMonth
        self.transferPerGiB = transferPerGiB; self.buildPerMinute = buildPerMinute
    }

    /// The price of a GiB-month of `type` in `region`: the region's own, else the type's
    /// `default`; nil when the sheet prices neither.
    public func storagePrice(type: String, region: String) -> Double? {
        guard let byRegion = storagePerGiBMonth[type] else { return nil }
        return byRegion[region] ?? byRegion[Self.fallback]
    }

    /// The price of a GiB over `link`: the link's own (`FROM->TO`), else `inRegion` for a
    /// copy inside a region, else `default`; nil when none applies.
    public func transferPrice(_ link: UsageLink) -> Double? {
        if let own = transferPerGiB["\(link.from)->\(link.to)"] { return own }
        if link.inRegion, let p = transferPerGiB[Self.inRegion] { return p }
        return transferPerGiB[Self.fallback]
    }

    public static let gib = Double(1 << 30)
}
