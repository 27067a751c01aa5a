import Foundation
import Testing
import VMIBCore
import VMIBService

/// SourceImage triggers through the service: a template that takes a gallery image at
/// latest runs once for each new version of it, never twice for one (across a restart and
/// between two processes), not while a run is active, and says so on the trigger.
@Suite struct TriggerTests {
    static let sub = "00000000-0000-0000-0000-000000000000"

    static func body(source: String) -> String {
        #"""
        {"location": "eastus",
         "properties": {"source": {"type": "SharedImageVersion", "imageVersionId": "/subscriptions/\#(sub)/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g/images/base/versions/\#(source)"},
                        "distribute": [{"type": "VHD", "runOutputName": "vhd"}]}}
        """#
    }

    /// A gallery `g` with image `base`, and a template `patched` that follows it.
    static func setUp(_ f: ServiceFixture, source: String = "latest") throws -> (image: ImageRef, template: TemplateKey) {
        let gallery = try f.service.galleries.ref(resourceGroup: "rg1", name: "g")
        _ = try f.service.galleries.create(gallery)
        let image = gallery.image("base")
        _ = try f.service.images.create(ImageRequest(ref: image, osType: "Linux", osState: "Generalized", publisher: "p", offer: "o", sku: "base"))
        let template = try f.key("patched")
        _ = try f.service.templates.create(CreateTemplateRequest(key: template, document: body(source: source)))
        return (image, template)
    }

    /// Publishes a version of `image` to eastus and replicates it (Succeeded).
    static func publish(_ f: ServiceFixture, _ image: ImageRef, _ version: String, excludeFromLatest: Bool = false) async throws {
        let disk = f.directory.appendingPathComponent("disk-\(version).raw")
        try Data(repeating: 7, count: 4096).write(to: disk)
        let v = try await f.service.versions.publish(PublishRequest(image: image, version: version, disk: disk.path,
                                                             targetRegions: [TargetRegionRequest(name: "eastus")], excludeFromLatest: excludeFromLatest))
        _ = try await f.service.versions.reconcile(v.ref)
    }

    /// Ends a run the way a finished worker leaves it: the worker is gone, a cancel ends it.
    static func end(_ f: ServiceFixture, _ run: TemplateRun) throws {
        let r = try f.service.runs.carryOutInBackground(run) { _ in ["true"] }
        var status: Int32 = 0
        if let pid = r.workerPID { waitpid(pid, &status, 0) }
        _ = try f.service.runs.cancel(run.template)
        #expect(!(try f.service.runs.get(id: run.id)).state.isActive)
    }

    @Test func aTriggerRunsTheTemplateOnceForEachNewSourceVersionAndNotWhileARunIsActive() async throws {
        let f = try ServiceFixture("vmib-trigger")
        defer { f.removeAll() }
        let (image, template) = try Self.setUp(f)
        try await Self.publish(f, image, "1.0.0")
        let key = try f.service.triggers.key(template, name: "source")

        let created = try f.service.triggers.create(key, kind: .SourceImage)
        #expect(created.created && created.trigger.lastSourceVersion == "1.0.0", "\(created)")
        #expect(created.trigger.status.code == .Enabled && created.trigger.status.message.contains("latest is 1.0.0"), "\(created.trigger.status)")
        // The same PUT again changes nothing.
        let again = try f.service.triggers.create(key, kind: .SourceImage)
        #expect(!again.created && again.trigger == created.trigger)
        // The version there when the trigger was made starts nothing.
        #expect(try f.service.triggers.check(f.service.triggers.get(key)) == nil)

        try await Self.publish(f, image, "1.1.0")
        let run = try #require(try f.service.triggers.check(f.service.triggers.get(key)))
        #expect(run.triggeredBy == RunTrigger(trigger: "source", sourceVersion: "1.1.0"))
        #expect(try f.service.runs.get(id: run.id).triggeredBy == run.triggeredBy)
        var t = try f.service.triggers.get(key)
        #expect(t.lastSourceVersion == "1.1.0" && t.lastTriggeredVersion == "1.1.0" && t.lastRunID == run.id, "\(t)")
        #expect(try f.service.triggers.check(t) == nil, "a version starts one run")

        // A new version while the run is active waits for it.
        try await Self.publish(f, image, "1.2.0")
        #expect(try f.service.triggers.check(f.service.triggers.get(key)) == nil)
        t = try f.service.triggers.get(key)
        #expect(t.status.message == "source version 1.2.0 is new; it starts a run when run \(run.id) ends", "\(t.status)")
        #expect(t.lastSourceVersion == "1.1.0")

        try Self.end(f, run)
        let second = try #require(try f.service.triggers.check(f.service.triggers.get(key)))
        #expect(second.triggeredBy?.sourceVersion == "1.2.0" && second.id != run.id)
        try Self.end(f, second)

        // A version excluded from latest is not the source's latest: nothing runs.
        try await Self.publish(f, image, "1.3.0", excludeFromLatest: true)
        #expect(try f.service.triggers.check(f.service.triggers.get(key)) == nil)
        #expect(try f.service.runs.list(template).count == 2)
    }

    @Test func aSourceVersionStartsOneRunAcrossARestartAndBetweenTwoProcesses() async throws {
        let f = try ServiceFixture("vmib-trigger-restart")
        defer { f.removeAll() }
        let (image, template) = try Self.setUp(f)
        try await Self.publish(f, image, "1.0.0")
        let key = try f.service.triggers.key(template, name: "source")
        _ = try f.service.triggers.create(key, kind: .SourceImage)
        try await Self.publish(f, image, "1.1.0")

        // Two processes read the trigger before either fires it: one run between them.
        let other = try VMIBService(configuration: f.service.configuration)
        let seenHere = try f.service.triggers.get(key), seenThere = try other.triggers.get(key)
        let first = try f.service.triggers.check(seenHere)
        #expect(first != nil)
        try Self.end(f, try #require(first))
        #expect(try other.triggers.check(seenThere) == nil, "the other process saw 1.1.0 as new, but it had fired already")

        // A server started again over the same state fires nothing for 1.1.0.
        let restarted = try VMIBService(configuration: f.service.configuration)
        #expect(try restarted.triggers.checkAll().started.isEmpty)
        #expect(try f.service.runs.list(template).count == 1)
    }

    @Test func aTriggerNeedsASourceAtLatestAndAValidNameAndRefusesChangeNothing() async throws {
        let f = try ServiceFixture("vmib-trigger-bad")
        defer { f.removeAll() }
        let (image, _) = try Self.setUp(f)
        try await Self.publish(f, image, "1.0.0")
        let pinned = try f.key("pinned")
        _ = try f.service.templates.create(CreateTemplateRequest(key: pinned, document: Self.body(source: "1.0.0")))

        let refused = #expect(throws: DomainError.self) {
            try f.service.triggers.create(try f.service.triggers.key(pinned, name: "source"), kind: .SourceImage)
        }
        #expect(refused?.field == .triggerKind && refused?.message.contains("at 1.0.0, which never changes") == true, "\(String(describing: refused))")
        #expect(try f.service.triggers.list(pinned).isEmpty)

        for bad in ["", "-x", "a/b", String(repeating: "t", count: 65)] {
            let e = #expect(throws: DomainError.self) { try f.service.triggers.key(pinned, name: bad) }
            #expect(e?.field == .trigger && e?.message.contains("trigger name") == true)
        }
        #expect(throws: DomainError.self) { try TriggerKind(parsing: "Schedule") }
        #expect(try TriggerKind(parsing: "sourceimage") == .SourceImage)

        let missing = #expect(throws: DomainError.self) {
            try f.service.triggers.create(TriggerKey(template: try f.key("nope"), name: "t"), kind: .SourceImage)
        }
        #expect(missing?.code == .notFound && missing?.field == .template)
        let noTrigger = #expect(throws: DomainError.self) { try f.service.triggers.get(TriggerKey(template: pinned, name: "none")) }
        #expect(noTrigger?.code == .notFound && noTrigger?.field == .trigger)
    }

    @Test func aTriggerWhoseSourceIsGoneIsDisabledAndGoesWithItsTemplate() async throws {
        let f = try ServiceFixture("vmib-trigger-gone")
        defer { f.removeAll() }
        let (image, template) = try Self.setUp(f)
        let key = try f.service.triggers.key(template, name: "source")
        // No version yet: the first one starts a run.
        let t = try f.service.triggers.create(key, kind: .SourceImage).trigger
        #expect(t.lastSourceVersion == nil && t.status.code == .Enabled && t.status.message.contains("no version yet"), "\(t.status)")

        try f.service.images.delete(image)
        #expect(try f.service.triggers.check(f.service.triggers.get(key)) == nil)
        let disabled = try f.service.triggers.get(key)
        #expect(disabled.status.code == .Disabled && disabled.status.message.contains("'base' does not exist"), "\(disabled.status)")

        // Deleted with its template: a template made again under the name has none.
        try f.service.templates.delete(template)
        _ = try f.service.templates.create(CreateTemplateRequest(key: template, document: Self.body(source: "latest")))
        #expect(try f.service.triggers.list(template).isEmpty)
    }
}
