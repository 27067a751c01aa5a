import Foundation

extension TemplateParser {
    func source(_ value: JSONValue?) throws -> TemplateSource {
        let path = "properties.source"
        let allowed = "allowed: PlatformImage, ManagedImage, SharedImageVersion"
        guard let value, value.objectValue != nil else {
            throw ProvisioningErrorCode.BadSourceType.error(.named(path), "is required: an object with a type (\(allowed))")
        }
        guard let type = value["type"]?.stringValue else {
            throw ProvisioningErrorCode.BadSourceType.error(.named("\(path).type"), "is required; \(allowed)")
        }
        switch type.lowercased() {
        case "platformimage":
            let code = ProvisioningErrorCode.BadPIRSource
            let publisher = try string(value, "publisher", path, code, required: true)!
            let offer = try string(value, "offer", path, code, required: true)!
            let sku = try string(value, "sku", path, code, required: true)!
            let version = try string(value, "version", path, code, required: false) ?? "latest"
            guard version.lowercased() == "latest" || (try? VersionNumber(parsing: version)) != nil
                    || version.split(separator: ".").count >= 2 else {
                throw code.error(.named("\(path).version"), "'\(version)' is not a version: expected 'latest' or an exact version such as 1.0.0")
            }
            return .platformImage(publisher: publisher, offer: offer, sku: sku, version: version.lowercased() == "latest" ? "latest" : version)
        case "managedimage":
            let code = ProvisioningErrorCode.BadManagedImageSource
            let id = try string(value, "imageId", path, code, required: true)!
            guard let image = TemplateResourceIDs.managedImage(id) else {
                throw code.error(.named("\(path).imageId"), "'\(id)' is not a managed image id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME")
            }
            return .managedImage(image)
        case "sharedimageversion":
            let code = ProvisioningErrorCode.BadSharedImageVersionSource
            let id = try string(value, "imageVersionId", path, code, required: true)!
            guard let (image, version) = TemplateResourceIDs.galleryImageVersion(id) else {
                throw code.error(.named("\(path).imageVersionId"), "'\(id)' is not a gallery image version id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G/images/I/versions/Major.Minor.Patch (or latest)")
            }
            return .sharedImageVersion(image: image, version: version)
        default:
            throw ProvisioningErrorCode.BadSourceType.error(.named("\(path).type"), "'\(type)' is not a source type; \(allowed)")
        }
    }
}
