import Testing
@testable import VMIBCore

@Suite struct ResourceNameTests {
    @Test(arguments: ["g", "my_gallery.v2", "G-1", String(repeating: "a", count: 80)])
    func acceptsGalleryNamesAzureAccepts(name: String) throws {
        try ResourceName.validateGallery(name)
    }

    @Test(arguments: ["", "_g", "g-", "g.", "g/h", "g h", String(repeating: "a", count: 81)])
    func refusesGalleryNamesAzureRefuses(name: String) {
        #expect(throws: DomainError.self) { try ResourceName.validateGallery(name) }
    }

    /// Azure's imageTemplateName is `^[A-Za-z0-9-_.]{1,64}$`: a trailing `.`, `-` or `_` is fine.
    @Test(arguments: ["t", "T.", "T-", "T_", "a.b-c_d", "9lives", String(repeating: "a", count: 64)])
    func acceptsTemplateNamesAzureAccepts(name: String) throws {
        try ResourceName.validateTemplate(name)
    }

    /// Too short or long, a character outside Azure's set, or (vmib's one addition) not a
    /// letter or digit first.
    @Test(arguments: ["", String(repeating: "a", count: 65), "bad!name", "a b", "a/b", "é", "t~", ".", "..", "-t", "_t"])
    func refusesTemplateNamesOutsideTheRule(name: String) {
        #expect(throws: DomainError.self) { try ResourceName.validateTemplate(name) }
    }

    @Test func templateNameErrorNamesTheField() {
        #expect {
            try ResourceName.validateTemplate("bad!name")
        } throws: { error in
            let e = error as? DomainError
            return e?.field == Field.template && e?.message.contains("'!' is not allowed") == true
        }
    }

    @Test func resourceIDsMapOneToOne() throws {
        let ref = GalleryRef(subscription: "s1", resourceGroup: "rg", gallery: "g").image("i").version(VersionNumber(1, 2, 3))
        #expect(ref.id == "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.2.3")
        #expect(ref.replicaKey(index: 2) == "vmib/s1/rg/g/i/1.2.3/replica-2")
    }

    @Test func suggestsClosestRegionNames() {
        let names = ["eastus", "eastus2", "westus", "westeurope", "northeurope"]
        #expect(ClosestNames.to("eastsu", in: names).first == "eastus")
        #expect(ClosestNames.to("westeurop", in: names).first == "westeurope")
        #expect(ClosestNames.to("zzzzzzzzzzzzzz", in: names).isEmpty)
    }
}
