import Foundation
import Hummingbird
import VMIBCore
import VMIBService

/// The regions this deployment serves, in the shape of Resource Manager's subscription
/// locations list (`GET /subscriptions/{s}/locations`), with vmib's region record (storage
/// types, limits) in `vmib` and the topology's name and the server's home region beside
/// `value`. Any principal of the
/// subscription may read it: it says nothing about resources. `metadata` carries the
/// region's coordinates from the catalog (`topology/azure-public.json`) as Resource Manager
/// writes them, as strings; the status page draws its map from them.
enum LocationRoutes {
    struct Location: Codable {
        struct Metadata: Codable {
            var regionType: String; var regionCategory: String; var geography: String
            /// Absent for a region the catalog does not place.
            var latitude: String?; var longitude: String?
        }
        var id: String
        var name: String
        var type: String
        var displayName: String
        var regionalDisplayName: String
        var metadata: Metadata
        var vmib: RegionInfo
    }
    struct List: Codable {
        /// The topology's name, and the server's home region (`--location`).
        struct Extension: Codable { var topology: String; var home: String }
        var value: [Location]
        var vmib: Extension
    }

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.get("/subscriptions/:subscriptionId/locations") { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.Resources/subscriptions/locations/read",
                                              apiVersions: APIVersion.resources, resourceGroupLevel: false)
            let value = api.service.regions().map { r in
                let place = api.service.catalog[r.name]
                return Location(id: "/subscriptions/\(scope.subscription)/locations/\(r.name)", name: r.name, type: "Region",
                                displayName: r.displayName, regionalDisplayName: r.geography.isEmpty ? r.displayName : "(\(r.geography)) \(r.displayName)",
                                metadata: .init(regionType: "Physical", regionCategory: r.buildRegion ? "Recommended" : "Other",
                                                geography: r.geography,
                                                latitude: place.map { "\($0.latitude)" }, longitude: place.map { "\($0.longitude)" }),
                                vmib: r)
            }
            return try ARMResponse.json(List(value: value, vmib: .init(topology: api.service.topology.name, home: api.location)))
        }
    }
}
