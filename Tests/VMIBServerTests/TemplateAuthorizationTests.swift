import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VMIBServer

/// A template reaches only what its caller may: a Contributor of rg1 cannot make a template
/// that reads a version in rg2 or publishes into rg2's image (403 LinkedAuthorizationFailed
/// naming the field, nothing stored), nor run one that someone with wider rights made.
@Suite struct TemplateAuthorizationTests {
    static let sub = ServerFixture.subscription
    static func templates(_ rg: String) -> String {
        "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.VirtualMachineImages/imageTemplates"
    }
    static func image(_ rg: String) -> String {
        "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.Compute/galleries/g/images/i"
    }
    static func body(source: String = #"{"type":"PlatformImage","publisher":"vmib","offer":"busybox","sku":"gpt","version":"latest"}"#,
                     distribute: String = #"[{"type":"VHD","runOutputName":"vhd"}]"#) -> String {
        #"{"location":"eastus","properties":{"source":\#(source),"customize":[],"distribute":\#(distribute)}}"#
    }

    @Test func idsOutsideTheCallersScopeAreRefused() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let intoRG2 = Self.body(distribute: #"[{"type":"SharedImage","runOutputName":"s","galleryImageId":"\#(Self.image("rg2"))","targetRegions":[{"name":"eastus"}]}]"#)
        let fromRG2 = Self.body(source: #"{"type":"SharedImageVersion","imageVersionId":"\#(Self.image("rg2"))/versions/1.0.0"}"#)
        let managedRG2 = Self.body(distribute: #"[{"type":"ManagedImage","runOutputName":"m","imageId":"/subscriptions/\#(Self.sub)/resourceGroups/rg2/providers/Microsoft.Compute/images/m","location":"eastus"}]"#)
        let intoRG1 = Self.body(distribute: #"[{"type":"SharedImage","runOutputName":"s","galleryImageId":"\#(Self.image("rg1"))","targetRegions":[{"name":"eastus"}]}]"#)
        try await f.application().test(.router) { client in
            for (name, body, target) in [("a", intoRG2, "properties.distribute[0].galleryImageId"),
                                         ("b", fromRG2, "properties.source.imageVersionId"),
                                         ("c", managedRG2, "properties.distribute[0].imageId")] {
                let r = try await client.call(.put, "\(Self.templates("rg1"))/\(name)", token: "rg1-token", body: body, apiVersion: "2025-10-01")
                #expect(r.status == 403, "\(name): \(r.text)")
                #expect(r.errorCode == "LinkedAuthorizationFailed" && r.errorTarget == target, "\(name): \(r.text)")
                #expect(try await client.call(.get, "\(Self.templates("rg1"))/\(name)", apiVersion: "2025-10-01").status == 404)
            }
            // Within its own resource group it may; the subscription Contributor may anywhere.
            #expect(try await client.call(.put, "\(Self.templates("rg1"))/own", token: "rg1-token", body: intoRG1, apiVersion: "2025-10-01").status == 201)
            #expect(try await client.call(.put, "\(Self.templates("rg1"))/wide", token: "admin-token", body: intoRG2, apiVersion: "2025-10-01").status == 201)
            // A PATCH may not point the template elsewhere either.
            let patch = #"{"properties":{"distribute":[{"type":"SharedImage","runOutputName":"s","galleryImageId":"\#(Self.image("rg2"))","targetRegions":[{"name":"eastus"}]}]}}"#
            let patched = try await client.call(.patch, "\(Self.templates("rg1"))/own", token: "rg1-token", body: patch, apiVersion: "2025-10-01")
            #expect(patched.status == 403 && patched.errorCode == "LinkedAuthorizationFailed", "\(patched.text)")
            // rg1's writer cannot run the template that publishes into rg2.
            let run = try await client.call(.post, "\(Self.templates("rg1"))/wide/run", token: "rg1-token", apiVersion: "2025-10-01")
            #expect(run.status == 403 && run.errorCode == "LinkedAuthorizationFailed", "\(run.text)")
            let wide = try await client.call(.get, "\(Self.templates("rg1"))/wide", apiVersion: "2025-10-01")
            #expect((wide.json["properties"] as? [String: Any])?["lastRunStatus"] == nil)

            // The principal is recorded on the template (Azure's systemData), and so is an update's.
            let created = try await client.call(.get, "\(Self.templates("rg1"))/own", apiVersion: "2025-10-01").json["systemData"] as? [String: Any]
            #expect(created?["createdBy"] as? String == "rg1-writer" && created?["lastModifiedBy"] == nil, "\(String(describing: created))")
            let tagged = try await client.call(.patch, "\(Self.templates("rg1"))/own", token: "admin-token", body: #"{"tags":{"a":"b"}}"#, apiVersion: "2025-10-01")
            #expect(tagged.status == 200, "\(tagged.text)")
            let updated = tagged.json["systemData"] as? [String: Any]
            #expect(updated?["createdBy"] as? String == "rg1-writer", "\(String(describing: updated))")
            #expect(updated?["lastModifiedBy"] as? String == "admin" && updated?["lastModifiedAt"] != nil, "\(String(describing: updated))")
        }
    }
}
