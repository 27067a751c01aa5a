import Foundation

/// One public region from `topology/azure-public.json`.
public struct CatalogRegion: Sendable, Hashable, Codable {
    public var name: String
    public var displayName: String
    public var geography: String
    public var latitude: Double
    public var longitude: Double
    public var pairedRegion: String?
    public var buildRegion: Bool
}

/// The regions vmib knows by name, with their places on the globe.
public struct RegionCatalog: Sendable {
    public let regions: [CatalogRegion]
    private let byName: [String: CatalogRegion]

    public init(regions: [CatalogRegion]) {
        self.regions = regions.sorted { $0.name < $1.name }
        self.byName = Dictionary(regions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Decodes the catalog file's JSON (`{"regions": [...]}`).
    public init(json: Data) throws {
        struct File: Decodable { var regions: [CatalogRegion] }
        self.init(regions: try JSONDecoder().decode(File.self, from: json).regions)
    }

    public subscript(name: String) -> CatalogRegion? { byName[name] }

    public var buildRegions: [CatalogRegion] { regions.filter(\.buildRegion) }

    /// Looks a region up by its name (`eastus`) or display name (`East US`).
    /// - Throws: `DomainError.invalidArgument` naming the closest known names.
    public func region(named text: String, field: Field) throws -> CatalogRegion {
        if let r = byName[text] { return r }
        let folded = text.lowercased().replacingOccurrences(of: " ", with: "")
        if let r = byName[folded] { return r }
        let near = ClosestNames.to(folded, in: regions.map(\.name))
        let hint = near.isEmpty ? "see `vmib regions list`" : "did you mean \(near.joined(separator: ", "))?"
        throw DomainError.invalid(field, "unknown region '\(text)'; \(hint)")
    }

    /// Great-circle distance in kilometres.
    public func distance(from a: String, to b: String) -> Double? {
        guard let x = byName[a], let y = byName[b] else { return nil }
        let r = 6371.0, rad = Double.pi / 180
        let dLat = (y.latitude - x.latitude) * rad, dLon = (y.longitude - x.longitude) * rad
        let h = sin(dLat / 2) * sin(dLat / 2)
            + cos(x.latitude * rad) * cos(y.latitude * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, sqrt(h)))
    }
}
