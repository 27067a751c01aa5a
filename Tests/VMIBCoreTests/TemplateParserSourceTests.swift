import Testing
@testable import VMIBCore

private let sourceTypes = "allowed: PlatformImage, ManagedImage, SharedImageVersion"

/// `properties.source`: the three kinds Azure offers, each with its own provisioningErrorCode.
@Suite struct TemplateParserSourceTests {
    static func source(_ json: String) throws -> TemplateSource {
        try TemplateBody.parse(source: json).template.source
    }

    @Test func aPlatformImageIsLatestUnlessAVersionIsGiven() throws {
        #expect(try Self.source(#"{"type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu", "sku": "22_04-lts"}"#)
                == .platformImage(publisher: "Canonical", offer: "ubuntu", sku: "22_04-lts", version: "latest"))
        #expect(try Self.source(#"{"type": "platformimage", "publisher": "p", "offer": "o", "sku": "s", "version": "Latest"}"#)
                == .platformImage(publisher: "p", offer: "o", sku: "s", version: "latest"), "type and 'latest' ignore case")
        #expect(try Self.source(#"{"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "1.2.3"}"#)
                == .platformImage(publisher: "p", offer: "o", sku: "s", version: "1.2.3"))
        // Marketplace versions are not always Major.Minor.Patch (22.04.202401010).
        #expect(try Self.source(#"{"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "22.04.202401010"}"#)
                == .platformImage(publisher: "p", offer: "o", sku: "s", version: "22.04.202401010"))
        #expect(try Self.source(#"{"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": null}"#)
                == .platformImage(publisher: "p", offer: "o", sku: "s", version: "latest"))
    }

    @Test func aManagedImageSourceIsReadFromItsID() throws {
        #expect(try Self.source(#"{"type": "ManagedImage", "imageId": "\#(TemplateBody.managedImage)"}"#)
                == .managedImage(ManagedImageID(subscription: "s1", resourceGroup: "rg1", name: "m1")))
        #expect(try Self.source(#"{"type": "ManagedImage", "imageId": "/SUBSCRIPTIONS/s1/resourcegroups/rg1/Providers/microsoft.compute/Images/m1"}"#)
                == .managedImage(ManagedImageID(subscription: "s1", resourceGroup: "rg1", name: "m1")), "the id's keywords ignore case")
    }

    @Test func aSharedImageVersionSourceIsAnExactVersionOrLatest() throws {
        let image = GalleryRef(subscription: "s1", resourceGroup: "rg1", gallery: "G").image("I")
        #expect(try Self.source(#"{"type": "SharedImageVersion", "imageVersionId": "\#(TemplateBody.galleryImage)/versions/1.0.2"}"#)
                == .sharedImageVersion(image: image, version: VersionNumber(1, 0, 2)))
        #expect(try Self.source(#"{"type": "SharedImageVersion", "imageVersionId": "\#(TemplateBody.galleryImage)/versions/latest"}"#)
                == .sharedImageVersion(image: image, version: nil))
    }

    @Test(arguments: [
        (#"null"#, "properties.source", ProvisioningErrorCode.BadSourceType, "is required: an object with a type (\(sourceTypes))"),
        (#""PlatformImage""#, "properties.source", .BadSourceType, "is required: an object with a type (\(sourceTypes))"),
        (#"{"publisher": "p"}"#, "properties.source.type", .BadSourceType, "is required; \(sourceTypes)"),
        (#"{"type": "ISO"}"#, "properties.source.type", .BadSourceType, "'ISO' is not a source type; \(sourceTypes)"),
        (#"{"type": "PlatformImage", "offer": "o", "sku": "s"}"#, "properties.source.publisher", .BadPIRSource, "is required (a non-empty string)"),
        (#"{"type": "PlatformImage", "publisher": " ", "offer": "o", "sku": "s"}"#, "properties.source.publisher", .BadPIRSource, "must not be empty"),
        (#"{"type": "PlatformImage", "publisher": "p", "offer": ["o"], "sku": "s"}"#, "properties.source.offer", .BadPIRSource, "must be a string, got an array"),
        (#"{"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "newest"}"#, "properties.source.version", .BadPIRSource,
         "'newest' is not a version: expected 'latest' or an exact version such as 1.0.0"),
        (#"{"type": "ManagedImage"}"#, "properties.source.imageId", .BadManagedImageSource, "is required"),
        (#"{"type": "ManagedImage", "imageId": "\#(TemplateBody.galleryImage)"}"#, "properties.source.imageId", .BadManagedImageSource,
         "is not a managed image id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME"),
        (#"{"type": "SharedImageVersion", "imageVersionId": "\#(TemplateBody.galleryImage)"}"#, "properties.source.imageVersionId", .BadSharedImageVersionSource,
         "is not a gallery image version id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G/images/I/versions/Major.Minor.Patch (or latest)"),
        (#"{"type": "SharedImageVersion", "imageVersionId": 3}"#, "properties.source.imageVersionId", .BadSharedImageVersionSource, "must be a string, got a number"),
    ])
    func badSourcesAreRefusedWithTheirKindsCode(source: String, field: String, code: ProvisioningErrorCode, says: String) {
        TemplateBody.expectRefusal(TemplateBody.text(source: source), field: field, code: code, says: says)
    }
}
