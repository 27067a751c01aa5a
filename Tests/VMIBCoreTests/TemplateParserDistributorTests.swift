import Testing
@testable import VMIBCore

private let distributorTypes = "ManagedImage, SharedImage, VHD"
private let gallery = TemplateBody.galleryImage

/// `properties.distribute`: VHD, ManagedImage and SharedImage distributors, regions checked
/// against the deployment, and a SharedImage's replication and versioning.
@Suite struct TemplateParserDistributorTests {
    static func distribute(_ json: String, source: String = TemplateBody.platformSource) throws -> [TemplateDistributor] {
        try TemplateBody.parse(source: source, distribute: json).template.distribute
    }

    static func shared(_ members: String, source: String = TemplateBody.platformSource) throws -> SharedImageDistribution {
        let d = try distribute(#"[{"type": "SharedImage", "runOutputName": "sig", "galleryImageId": "\#(gallery)", \#(members)}]"#, source: source)
        guard case .sharedImage(let name, let shared) = try #require(d.first) else {
            Issue.record("not a SharedImage distributor: \(d)")
            throw DomainError.invalid(.named("test"), "not a SharedImage distributor")
        }
        #expect(name == "sig")
        return shared
    }

    @Test func readsVHDAndManagedImageDistributors() throws {
        let d = try Self.distribute(#"""
            [{"type": "VHD", "runOutputName": "staged"},
             {"type": "vhd", "runOutputName": "empty-uri", "uri": ""},
             {"type": "VHD", "runOutputName": "out.1", "uri": "file:///srv/out/disk.vhd", "artifactTags": {"k": "v"}},
             {"type": "managedimage", "runOutputName": "mi_1", "imageId": "\#(TemplateBody.managedImage)", "location": "West Europe"}]
            """#)
        #expect(d == [.vhd(runOutputName: "staged", uri: nil),
                      .vhd(runOutputName: "empty-uri", uri: nil),
                      .vhd(runOutputName: "out.1", uri: "file:///srv/out/disk.vhd"),
                      .managedImage(runOutputName: "mi_1", image: ManagedImageID(subscription: "s1", resourceGroup: "rg1", name: "m1"),
                                    location: "westeurope")])
        #expect(d.map(\.typeName) == ["VHD", "VHD", "VHD", "ManagedImage"])
    }

    @Test func aSharedImageTakesItsTargetRegionsWithAzuresDefaults() throws {
        let s = try Self.shared(#""targetRegions": [{"name": "East US"}, {"name": "westeurope", "replicaCount": 3, "storageAccountType": "Standard_ZRS"}]"#)
        #expect(s.image == GalleryRef(subscription: "s1", resourceGroup: "rg1", gallery: "G").image("I"))
        #expect(s.targetRegions == [.init(name: "eastus", replicaCount: 1, storageAccountType: nil),
                                    .init(name: "westeurope", replicaCount: 3, storageAccountType: .Standard_ZRS)])
        #expect(!s.excludeFromLatest)
        #expect(s.versioning == .latest(major: nil))
        #expect(s.replicationMode == .Full)
    }

    @Test func deprecatedReplicationRegionsShareOneStorageAccountType() throws {
        let s = try Self.shared(#""replicationRegions": ["eastus", "North Europe"], "storageAccountType": "Premium_LRS""#)
        #expect(s.targetRegions == [.init(name: "eastus", replicaCount: 1, storageAccountType: .Premium_LRS),
                                    .init(name: "northeurope", replicaCount: 1, storageAccountType: .Premium_LRS)])
        #expect(try Self.shared(#""replicationRegions": ["eastus"]"#).targetRegions == [.init(name: "eastus", replicaCount: 1, storageAccountType: nil)])
    }

    @Test func readsExcludeFromLatestVersioningAndReplicationMode() throws {
        let regions = #""targetRegions": [{"name": "eastus"}]"#
        let s = try Self.shared(regions + #", "excludeFromLatest": true, "versioning": {"scheme": "latest", "major": 2}, "replicationMode": "shallow""#)
        #expect(s.excludeFromLatest)
        #expect(s.versioning == .latest(major: 2))
        #expect(s.replicationMode == .Shallow)
        // vmib does Shallow: no warning that it would replicate fully.
        let parsed = try TemplateBody.parse(distribute: #"[{"type": "SharedImage", "runOutputName": "sig", "galleryImageId": "\#(gallery)", "#
                                            + regions + #", "replicationMode": "Shallow"}]"#)
        #expect(!parsed.warnings.contains { $0.contains("replicationMode") }, "\(parsed.warnings)")
        #expect(try Self.shared(#""replicationRegions": ["East US"], "replicationMode": "Shallow""#).replicationMode == .Shallow)
        // A stored template is read as accepted: without a source region nothing is checked.
        var unchecked = TemplateBody.context
        unchecked.sourceRegion = nil
        let stored = TemplateBody.text(distribute: #"[{"type": "SharedImage", "runOutputName": "sig", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "westeurope"}], "replicationMode": "Shallow"}]"#)
        #expect(throws: Never.self) { try TemplateParser.parse(try JSONParser.parse(stored), name: "t", resourceGroup: "rg1", context: unchecked) }
        #expect(try Self.shared(regions + #", "versioning": {"scheme": "Latest", "major": -1}"#).versioning == .latest(major: nil), "-1 means unset")
        #expect(try Self.shared(regions + #", "versioning": {"scheme": "Latest"}"#).versioning == .latest(major: nil))
        #expect(try Self.shared(regions + #", "versioning": {"scheme": "Source"}"#).versioning == .source)
        let versionSource = #"{"type": "SharedImageVersion", "imageVersionId": "\#(gallery)/versions/1.0.0"}"#
        #expect(try Self.shared(regions + #", "versioning": {"scheme": "Source"}"#, source: versionSource).versioning == .source)
    }

    @Test func unknownMembersOfADistributorAreWarnedAbout() throws {
        let r = try TemplateBody.parse(distribute: #"""
            [{"type": "VHD", "runOutputName": "v", "format": "vhdx"},
             {"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "zones": [1]}]
            """#)
        #expect(r.warnings == ["properties.distribute[0].format is not a known property; it is ignored",
                               "properties.distribute[1].zones is not a known property; it is ignored"])
    }

    @Test(arguments: [
        ("null", "properties.distribute", ProvisioningErrorCode.BadDistributeType, "is required: a non-empty array of distributors (\(distributorTypes))"),
        ("[]", "properties.distribute", .BadDistributeType, "is required: a non-empty array of distributors (\(distributorTypes))"),
        (#"{"type": "VHD"}"#, "properties.distribute", .BadDistributeType, "is required: a non-empty array of distributors"),
        (#"["VHD"]"#, "properties.distribute[0]", .BadDistributeType, "must be an object with a type; allowed: \(distributorTypes)"),
        (#"[{"runOutputName": "v"}]"#, "properties.distribute[0].type", .BadDistributeType, "is required; allowed: \(distributorTypes)"),
        (#"[{"type": "ISO", "runOutputName": "v"}]"#, "properties.distribute[0].type", .BadDistributeType, "'ISO' is not a distributor type; allowed: \(distributorTypes)"),
        (#"[{"type": "VHD"}]"#, "properties.distribute[0].runOutputName", .BadDistributeType, "is required (a non-empty string)"),
        (#"[{"type": "VHD", "runOutputName": "\#(String(repeating: "a", count: 65))"}]"#, "properties.distribute[0].runOutputName", .BadDistributeType,
         "is not allowed: expected ^[A-Za-z0-9-_.]{1,64}$"),
        (#"[{"type": "VHD", "runOutputName": "v", "artifactTags": {"n": 1}}]"#, "properties.distribute[0].artifactTags", .BadDistributeType, "must be an object of string values"),
        (#"[{"type": "VHD", "runOutputName": "v", "uri": "file:///srv/out/"}]"#, "properties.distribute[0].uri", .BadDistributeType,
         "'file:///srv/out/' is not allowed: expected a file URL of the VHD to write (file:///path/disk.vhd), or empty for the staging area"),
        (#"[{"type": "VHD", "runOutputName": "v", "uri": "file:///srv/../etc/x.vhd"}]"#, "properties.distribute[0].uri", .BadDistributeType, "is not allowed"),
        (#"[{"type": "ManagedImage", "runOutputName": "m", "location": "eastus"}]"#, "properties.distribute[0].imageId", .BadDistributeType, "is required"),
        (#"[{"type": "ManagedImage", "runOutputName": "m", "imageId": "\#(gallery)", "location": "eastus"}]"#, "properties.distribute[0].imageId", .BadDistributeType,
         "is not a managed image id"),
        (#"[{"type": "ManagedImage", "runOutputName": "m", "imageId": "\#(TemplateBody.managedImage)"}]"#, "properties.distribute[0].location", .BadDistributeType, "is required"),
        (#"[{"type": "ManagedImage", "runOutputName": "m", "imageId": "\#(TemplateBody.managedImage)", "location": "mars"}]"#,
         "properties.distribute[0].location", .BadDistributeType, "unknown region 'mars'; see `vmib regions list`"),
        (#"[{"type": "ManagedImage", "runOutputName": "m", "imageId": "\#(TemplateBody.managedImage)", "location": "westeuropa"}]"#,
         "properties.distribute[0].location", .BadDistributeType, "unknown region 'westeuropa'; did you mean westeurope"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "targetRegions": [{"name": "eastus"}]}]"#, "properties.distribute[0].galleryImageId",
         .BadSharedImageDistribute, "is required"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)"}]"#, "properties.distribute[0].targetRegions",
         .BadSharedImageDistribute, #"is required: where the version is replicated ([{"name": "eastus", "replicaCount": 1}])"#),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": []}]"#, "properties.distribute[0].targetRegions",
         .BadSharedImageDistribute, "must be a non-empty array of {name, replicaCount, storageAccountType}"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": ["eastus"]}]"#,
         "properties.distribute[0].targetRegions[0]", .BadSharedImageDistribute, "must be an object {name, replicaCount, storageAccountType}"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "storageAccountType": "Standard_LRS"}]"#,
         "properties.distribute[0].storageAccountType", .BadSharedImageDistribute, "is allowed only with replicationRegions; give storageAccountType per target region"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus", "replicaCount": 0}]}]"#,
         "properties.distribute[0].targetRegions[0].replicaCount", .BadSharedImageDistribute, "must be an integer 1…100"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus", "replicaCount": 101}]}]"#,
         "properties.distribute[0].targetRegions[0].replicaCount", .BadSharedImageDistribute, "must be an integer 1…100"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus", "storageAccountType": "Ultra_LRS"}]}]"#,
         "properties.distribute[0].targetRegions[0].storageAccountType", .BadSharedImageDistribute, "must be one of: Standard_LRS, Standard_ZRS, Premium_LRS"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}, {"name": "East US"}]}]"#,
         "properties.distribute[0].targetRegions[1].name", .BadSharedImageDistribute, "region 'eastus' is given twice"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "replicationRegions": [1]}]"#,
         "properties.distribute[0].replicationRegions[0]", .BadSharedImageDistribute, "must be a region name"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "replicationRegions": ["eastus", "EastUS"]}]"#,
         "properties.distribute[0].replicationRegions[1]", .BadSharedImageDistribute, "region 'eastus' is given twice"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "replicationRegions": ["eastus"], "storageAccountType": "Cold"}]"#,
         "properties.distribute[0].storageAccountType", .BadSharedImageDistribute, "must be one of: Standard_LRS, Standard_ZRS, Premium_LRS"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "excludeFromLatest": "true"}]"#,
         "properties.distribute[0].excludeFromLatest", .BadSharedImageDistribute, "must be true or false"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "versioning": {}}]"#,
         "properties.distribute[0].versioning.scheme", .BadSharedImageDistribute, "is required: Latest or Source"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "versioning": {"scheme": "Latest", "major": 1.5}}]"#,
         "properties.distribute[0].versioning.major", .BadSharedImageDistribute, "must be an integer ≥ -1 (-1 means unset)"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "versioning": {"scheme": "Latest", "major": -2}}]"#,
         "properties.distribute[0].versioning.major", .BadSharedImageDistribute, "must be an integer ≥ -1"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}], "replicationMode": "Partial"}]"#,
         "properties.distribute[0].replicationMode", .BadSharedImageDistribute, "must be one of: Full, Shallow"),
        // Shallow: one replica in the source region (the home region, eastus here), as Azure validates it.
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "westeurope"}], "replicationMode": "Shallow"}]"#,
         "properties.distribute[0].targetRegions[0].name", .BadSharedImageDistribute, "'westeurope' is not allowed: a Shallow version has one replica, in the source region 'eastus'"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus", "replicaCount": 2}], "replicationMode": "shallow"}]"#,
         "properties.distribute[0].targetRegions[0].replicaCount", .BadSharedImageDistribute, "2 is not allowed"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}, {"name": "northeurope"}], "replicationMode": "Shallow"}]"#,
         "properties.distribute[0].targetRegions[1].name", .BadSharedImageDistribute, "'northeurope' is not allowed"),
        (#"[{"type": "SharedImage", "runOutputName": "s", "galleryImageId": "\#(gallery)", "replicationRegions": ["eastus", "westus2"], "replicationMode": "Shallow"}]"#,
         "properties.distribute[0].replicationRegions[1]", .BadSharedImageDistribute, "'westus2' is not allowed"),
        // runOutputName and artifactTags are the distributor's, whatever its type.
        (#"[{"type": "SharedImage", "runOutputName": "a b", "galleryImageId": "\#(gallery)", "targetRegions": [{"name": "eastus"}]}]"#,
         "properties.distribute[0].runOutputName", .BadDistributeType, "is not allowed: expected ^[A-Za-z0-9-_.]{1,64}$"),
    ])
    func badDistributorsAreRefusedNamingTheirIndexAndField(distribute: String, field: String, code: ProvisioningErrorCode, says: String) {
        TemplateBody.expectRefusal(TemplateBody.text(distribute: distribute), field: field, code: code, says: says)
    }
}
