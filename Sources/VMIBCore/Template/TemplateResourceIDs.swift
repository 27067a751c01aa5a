/// Parsing the ARM resource ids templates refer to.
enum TemplateResourceIDs {
    /// Splits `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/<rest>` into
    /// (S, RG, rest segments); nil when it is not of that shape.
    static func compute(_ id: String) -> (subscription: String, resourceGroup: String, rest: [String])? {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 7, parts[0].isEmpty, parts[1].lowercased() == "subscriptions",
              parts[3].lowercased() == "resourcegroups", parts[5].lowercased() == "providers",
              parts[6].lowercased() == "microsoft.compute", !parts[2].isEmpty, !parts[4].isEmpty else { return nil }
        let rest = Array(parts.dropFirst(7))
        guard !rest.contains(where: \.isEmpty) else { return nil }
        return (parts[2], parts[4], rest)
    }

    static func managedImage(_ id: String) -> ManagedImageID? {
        guard let c = compute(id), c.rest.count == 2, c.rest[0].lowercased() == "images" else { return nil }
        return ManagedImageID(subscription: c.subscription, resourceGroup: c.resourceGroup, name: c.rest[1])
    }

    static func galleryImage(_ id: String) -> ImageRef? {
        guard let c = compute(id), c.rest.count == 4, c.rest[0].lowercased() == "galleries",
              c.rest[2].lowercased() == "images" else { return nil }
        return GalleryRef(subscription: c.subscription, resourceGroup: c.resourceGroup, gallery: c.rest[1]).image(c.rest[3])
    }

    /// `.../galleries/G/images/I/versions/V`; V is `Major.Minor.Patch` or `latest` (nil).
    static func galleryImageVersion(_ id: String) -> (ImageRef, VersionNumber?)? {
        guard let c = compute(id), c.rest.count == 6, c.rest[0].lowercased() == "galleries",
              c.rest[2].lowercased() == "images", c.rest[4].lowercased() == "versions" else { return nil }
        let image = GalleryRef(subscription: c.subscription, resourceGroup: c.resourceGroup, gallery: c.rest[1]).image(c.rest[3])
        if c.rest[5].lowercased() == "latest" { return (image, nil) }
        guard let v = try? VersionNumber(parsing: c.rest[5]) else { return nil }
        return (image, v)
    }
}
