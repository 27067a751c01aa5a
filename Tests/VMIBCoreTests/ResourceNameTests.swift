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
