import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
import VMIBTestSupport
@testable import VMIBServer

/// Microsoft.VirtualMachineImages/imageTemplates/{t}/triggers: Azure's Trigger shape, PUT
/// idempotent, GET, list, DELETE 204; the server's check starts a run that records its
/// trigger and source version; bad input is a 400 naming the member, and changes nothing.
@Suite struct TriggerRoutesTests {
    static let templates = "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates"
    static let imageID = "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g1/images/i1"
    static let api = "2025-10-01"

    /// A template patching i1's latest version. Its PowerShell customizer makes each run fail
    /// at once (no Windows build host), so a run is recorded without a build VM.
    static func templateBody(version: String = "latest") -> String {
        #"{"location":"eastus","properties":{"source":{"type":"SharedImageVersion","imageVersionId":"\#(imageID)/versions/\#(version)"},"customize":[{"type":"PowerShell","name":"patch","inline":["Write-Host hi"]}],"distribute":[{"type":"VHD","runOutputName":"vhd"}]}}"#
    }

    static func publish(_ f: ServerFixture, _ client: any TestClientProtocol, _ version: String) async throws {
        let put = try await client.call(.put, ServerFixture.base() + "/g1/images/i1/versions/\(version)", body: f.versionBody())
        #expect(put.status == 201 || put.status == 200, "\(put.text)")
        _ = try await f.service.versions.reconcile(ServerFixture.image.version(try VersionNumber(parsing: version)))
    }

    /// rg1's gallery g1 and image i1 with version 1.0.0, and template `patcher` following i1.
    static func setUp(_ f: ServerFixture, _ client: any TestClientProtocol) async throws {
        try await client.putGalleryAndImage()
        try await publish(f, client, "1.0.0")
        #expect(try await client.call(.put, templates + "/patcher", body: templateBody(), apiVersion: api).status == 201)
    }

    @Test func aTriggerIsAzuresTriggerResourceAndTheServersCheckStartsARunForANewVersion() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.templates + "/patcher"
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await Self.setUp(f, client)

            let body = #"{"properties":{"kind":"SourceImage"}}"#
            let created = try await client.call(.put, t + "/triggers/source", body: body, apiVersion: Self.api)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["id"] as? String == t + "/triggers/source" && created.json["name"] as? String == "source")
            #expect(created.json["type"] as? String == "Microsoft.VirtualMachineImages/imageTemplates/triggers")
            let props = created.json["properties"] as? [String: Any] ?? [:]
            #expect(props["kind"] as? String == "SourceImage" && props["provisioningState"] as? String == "Succeeded")
            let status = props["status"] as? [String: Any] ?? [:]
            #expect(status["code"] as? String == "Enabled" && status["time"] is String, "\(created.text)")
            #expect((props["vmib"] as? [String: Any])?["lastSourceVersion"] as? String == "1.0.0", "\(created.text)")
            #expect((created.json["systemData"] as? [String: Any])?["createdBy"] as? String == "admin")
            // The same PUT again: 200, unchanged; what a GET returns may be sent back.
            let again = try await client.call(.put, t + "/triggers/source", body: created.text, apiVersion: Self.api)
            #expect(again.status == 200 && again.text == created.text, "\(again.text)")
            #expect(try await client.call(.get, t + "/triggers/source", apiVersion: Self.api).text == created.text)
            let list = try await client.call(.get, t + "/triggers", apiVersion: Self.api)
            #expect((list.json["value"] as? [[String: Any]])?.map { $0["name"] as? String } == ["source"], "\(list.text)")

            // Nothing new: the check starts nothing. A new version: one run, which says why it ran.
            #expect(TriggerService.check(api: f.api, logger: nil).isEmpty)
            try await Self.publish(f, client, "1.1.0")
            let started = TriggerService.check(api: f.api, logger: nil)
            #expect(started.count == 1 && started.first?.triggeredBy == RunTrigger(trigger: "source", sourceVersion: "1.1.0"))
            #expect(TriggerService.check(api: f.api, logger: nil).isEmpty, "1.1.0 starts one run")
            let template = try await client.call(.get, t, apiVersion: Self.api)
            let last = (template.json["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any] ?? [:]
            #expect(last["runId"] as? String == started.first?.id)
            #expect(last["triggeredBy"] as? [String: String] == ["trigger": "source", "sourceVersion": "1.1.0"], "\(template.text)")
            #expect((last["message"] as? String)?.contains("needs a Windows build host") == true)
            let runs = try await client.call(.get, t + "/runs", apiVersion: Self.api)
            let listed = runs.json["value"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed.first?["runId"] as? String == started.first?.id, "\(runs.text)")
            #expect(listed.first?["triggeredBy"] as? [String: String] == ["trigger": "source", "sourceVersion": "1.1.0"], "\(runs.text)")
            let shown = try await client.call(.get, t + "/triggers/source", apiVersion: Self.api)
            #expect((shown.json["properties"] as? [String: Any])?["vmib"] as? [String: String]
                    == ["lastSourceVersion": "1.1.0", "lastTriggeredVersion": "1.1.0", "lastRunId": started.first?.id ?? ""], "\(shown.text)")

            #expect(try await client.call(.delete, t + "/triggers/source", apiVersion: Self.api).status == 204)
            let gone = try await client.call(.get, t + "/triggers/source", apiVersion: Self.api)
            #expect(gone.status == 404 && gone.errorTarget == "triggerName", "\(gone.text)")
            #expect(try await client.call(.delete, t + "/triggers/source", apiVersion: Self.api).status == 204)
            let noTemplate = try await client.call(.delete, Self.templates + "/none/triggers/source", apiVersion: Self.api)
            #expect(noTemplate.status == 404 && noTemplate.errorTarget == "imageTemplateName", "\(noTemplate.text)")
        }
    }

    @Test func badTriggerRequestsAreRefusedNamingTheMemberAndChangeNothing() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.templates + "/patcher"
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await Self.setUp(f, client)
            #expect(try await client.call(.put, Self.templates + "/pinned", body: Self.templateBody(version: "1.0.0"), apiVersion: Self.api).status == 201)

            let cases: [(path: String, body: String, status: Int, target: String, says: String)] = [
                (t + "/triggers/source", #"{"properties":{"kind":"Schedule"}}"#, 400, "properties.kind", "allowed: SourceImage"),
                (t + "/triggers/source", #"{"properties":{}}"#, 400, "properties.kind", "missing"),
                (t + "/triggers/source", #"{}"#, 400, "properties", "missing"),
                (t + "/triggers/source", #"{"properties":{"kind":"SourceImage"},"location":"eastus"}"#, 400, "location", "location"),
                (t + "/triggers/source", #"{"properties":{"kind":"SourceImage","every":"1h"}}"#, 400, "properties.every", "every"),
                (t + "/triggers/source", #"{"properties":{"kind":7}}"#, 400, "properties.kind", "kind"),
                (t + "/triggers/-x", #"{"properties":{"kind":"SourceImage"}}"#, 400, "triggerName", "trigger name"),
                (Self.templates + "/pinned/triggers/source", #"{"properties":{"kind":"SourceImage"}}"#, 409, "properties.kind", "never changes"),
                (Self.templates + "/none/triggers/source", #"{"properties":{"kind":"SourceImage"}}"#, 404, "imageTemplateName", "does not exist"),
            ]
            for c in cases {
                let r = try await client.call(.put, c.path, body: c.body, apiVersion: Self.api)
                #expect(r.status == c.status && r.isARMError, "\(c.body): \(r.status) \(r.text)")
                #expect(r.errorTarget == c.target, "\(c.body): \(r.text)")
                #expect(r.text.contains(c.says), "\(c.body): \(r.text)")
            }
            for template in [t, Self.templates + "/pinned"] {
                let list = try await client.call(.get, template + "/triggers", apiVersion: Self.api)
                #expect(list.status == 200 && (list.json["value"] as? [Any])?.isEmpty == true, "\(list.text)")
            }
            let oldAPI = try await client.call(.put, t + "/triggers/source", body: #"{"properties":{"kind":"SourceImage"}}"#, apiVersion: "2019-01-01")
            #expect(oldAPI.status == 400 && oldAPI.errorCode == "InvalidApiVersionParameter", "\(oldAPI.text)")
        }
    }
}
