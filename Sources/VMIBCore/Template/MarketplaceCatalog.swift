import Foundation

/// The platform images vmib can start from (`topology/marketplace.json`): for each
/// publisher/offer/sku/version, where the disk is, its SHA-256, format and OS.
public struct MarketplaceCatalog: Sendable {
    public struct Entry: Sendable, Hashable, Codable {
        public var publisher: String
        public var offer: String
        public var sku: String
        public var version: String
        /// http, https or file URL; a relative path is a file under the state directory.
        public var url: String
        public var sha256: String
        /// raw, vhd, qcow2, tar or tar.gz.
        public var diskFormat: String
        public var osType: String
        public var hyperVGeneration: String
        public var sizeBytes: Int64?
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Decodes `{"entries": [...]}`.
    public init(json: Data) throws {
        struct File: Decodable { var entries: [Entry] }
        self.init(entries: try JSONDecoder().decode(File.self, from: json).entries)
    }

    /// The entry for a PlatformImage source; `latest` is the highest version.
    /// - Throws: `DomainError` (BadPIRSource) naming what the catalog offers.
    public func resolve(publisher: String, offer: String, sku: String, version: String) throws -> Entry {
        let candidates = entries.filter {
            $0.publisher.lowercased() == publisher.lowercased() && $0.offer.lowercased() == offer.lowercased()
                && $0.sku.lowercased() == sku.lowercased()
        }
        guard !candidates.isEmpty else {
            let offered = Set(entries.map { "\($0.publisher):\($0.offer):\($0.sku)" }).sorted()
            throw ProvisioningErrorCode.BadPIRSource.error(.named("properties.source"), "no platform image \(publisher):\(offer):\(sku) in the marketplace catalog; offered: \(offered.isEmpty ? "none" : offered.joined(separator: ", "))")
        }
        if version.lowercased() == "latest" {
            return candidates.max { Self.compare($0.version, $1.version) }!
        }
        guard let e = candidates.first(where: { $0.version == version }) else {
            throw ProvisioningErrorCode.BadPIRSource.error(.named("properties.source.version"), "\(publisher):\(offer):\(sku) has no version '\(version)'; versions: \(candidates.map(\.version).joined(separator: ", ")), or latest")
        }
        return e
    }

    /// Dotted versions compared part by part, numerically where both parts are numbers.
    static func compare(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "."), y = b.split(separator: ".")
        for (p, q) in zip(x, y) where p != q {
            if let i = Int(p), let j = Int(q) { return i < j }
            return p < q
        }
        return x.count < y.count
    }
}
