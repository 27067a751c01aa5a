import VMIBCore

/// A template reaches only what its caller may reach: the resources it reads (its source)
/// need the caller's read access, the ones it writes (its SharedImage and ManagedImage
/// targets) write access, in their own resource groups. Checked at PUT, PATCH and run.
enum TemplateAuthorization {
    /// - Throws: 403 `LinkedAuthorizationFailed` naming the field of the first id refused.
    static func check(_ t: ImageTemplate, context: ARMRequestContext) throws {
        switch t.source {
        case .managedImage(let id):
            try require(.read, id.subscription, id.resourceGroup, "Microsoft.Compute/images/read", id.id, "properties.source.imageId", context)
        case .sharedImageVersion(let image, _):
            try require(.read, image.gallery.subscription, image.gallery.resourceGroup, "Microsoft.Compute/galleries/images/versions/read",
                        image.id, "properties.source.imageVersionId", context)
        case .platformImage:
            break
        }
        for (i, d) in t.distribute.enumerated() {
            switch d {
            case .sharedImage(_, let s):
                try require(.write, s.image.gallery.subscription, s.image.gallery.resourceGroup, "Microsoft.Compute/galleries/images/versions/write",
                            s.image.id, "properties.distribute[\(i)].galleryImageId", context)
            case .managedImage(_, let id, _):
                try require(.write, id.subscription, id.resourceGroup, "Microsoft.Compute/images/write", id.id,
                            "properties.distribute[\(i)].imageId", context)
            case .vhd:
                break
            }
        }
    }

    private static func require(_ access: Access, _ subscription: String, _ resourceGroup: String, _ action: String,
                                _ id: String, _ target: String, _ context: ARMRequestContext) throws {
        do {
            try context.authorize(access, subscription: subscription, resourceGroup: resourceGroup, action: action)
        } catch {
            throw ARMError(.forbidden, code: "LinkedAuthorizationFailed",
                           "The client has no permission to \(access == .read ? "read" : "write") '\(id)', which the template names.",
                           target: target)
        }
    }
}
