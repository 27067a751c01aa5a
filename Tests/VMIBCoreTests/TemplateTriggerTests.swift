import Foundation
import Testing
import VMIBCore

@Suite struct TemplateTriggerTests {
    static func trigger(seen: String?) -> TemplateTrigger {
        let template = TemplateKey(subscription: "s", resourceGroup: "rg", name: "t")
        return TemplateTrigger(key: TriggerKey(template: template, name: "source"), kind: .SourceImage, createdAt: Date(timeIntervalSince1970: 0),
                               lastSourceVersion: seen, status: TriggerStatus(code: .Enabled, message: "", time: Date(timeIntervalSince1970: 0)))
    }

    @Test func onlyAVersionHigherThanAnySeenFiresAndAnActiveRunMakesItWait() {
        let t = Self.trigger(seen: "1.2.0")
        #expect(t.decide(latest: "1.2.0", activeRun: nil) == .idle)
        #expect(t.decide(latest: "1.1.9", activeRun: nil) == .idle, "a rollback of the source starts nothing")
        #expect(t.decide(latest: nil, activeRun: nil) == .idle)
        #expect(t.decide(latest: "1.10.0", activeRun: nil) == .fire(version: "1.10.0"), "numeric, not textual, order")
        #expect(t.decide(latest: "1.3.0", activeRun: "r1") == .wait(version: "1.3.0", run: "r1"))
        #expect(Self.trigger(seen: nil).decide(latest: "0.0.1", activeRun: nil) == .fire(version: "0.0.1"))
    }

    @Test func marketplaceVersionsOrderPartByPart() {
        #expect(SourceVersionOrder.isNewer("22.04.202311010", than: "22.04.202309010"))
        #expect(!SourceVersionOrder.isNewer("22.04.202309010", than: "22.04.202311010"))
        #expect(SourceVersionOrder.isNewer("22.04.1.1", than: "22.04.1"))
        #expect(!SourceVersionOrder.isNewer("1.0.0", than: "1.0.0"))
    }

    @Test func aRunBuildsFromTheVersionThatFiredIt() throws {
        let image = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i")
        let gallery = TemplateSource.sharedImageVersion(image: image, version: nil)
        #expect(gallery.followsLatest)
        #expect(gallery.pinned(to: "1.2.0") == .sharedImageVersion(image: image, version: try VersionNumber(parsing: "1.2.0")))
        let platform = TemplateSource.platformImage(publisher: "p", offer: "o", sku: "s", version: "latest")
        #expect(platform.followsLatest)
        #expect(platform.pinned(to: "22.04.5") == .platformImage(publisher: "p", offer: "o", sku: "s", version: "22.04.5"))
        let exact = TemplateSource.sharedImageVersion(image: image, version: try VersionNumber(parsing: "1.0.0"))
        #expect(!exact.followsLatest && exact.pinned(to: "1.2.0") == exact)
        #expect(!TemplateSource.managedImage(ManagedImageID(subscription: "s", resourceGroup: "rg", name: "m")).followsLatest)
    }
}
