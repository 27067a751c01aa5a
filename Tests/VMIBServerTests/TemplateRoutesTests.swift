import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBTestSupport
@testable import VMIBServer

/// Microsoft.VirtualMachineImages/imageTemplates through the service's template use cases:
/// create (idempotent, immutable), get, lists, run as a long-running operation, runOutputs,
/// cancel, delete; and bad input that changes nothing.
@Suite struct TemplateRoutesTests {
    static let base = "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates"

    /// A valid template. Its PlatformImage is in no marketplace catalog of the fixture, so a
    /// run fails fast (BadPIRSource) without building anything.
    static func body(customize: String = #"[{"type":"Shell","name":"hello","inline":["echo hi > /etc/hi"]}]"#,
                     sku: String = "gpt") -> String {
        #"{"location":"eastus","tags":{"purpose":"test"},"identity":{"type":"None"},"properties":{"source":{"type":"PlatformImage","publisher":"vmib","offer":"busybox","sku":"\#(sku)","version":"latest"},"customize":\#(customize),"distribute":[{"type":"VHD","runOutputName":"vhd"}]}}"#
    }

    /// Polls the template until its last run is no longer active.
    static func waitForRunEnd(_ client: any TestClientProtocol, _ path: String) async throws {
        try await waitUntil("the run of \(path) ends") {
            let r = try await client.call(.get, path, apiVersion: "2025-10-01")
            let last = (r.json["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any]
            return r.status != 200 || last == nil || !["Running", "Canceling"].contains(last?["runState"] as? String ?? "")
        }
    }

    /// Azure's autoRun: Enabled starts a run when the template is created (and updated); the
    /// 201 already shows it. Disabled, or no autoRun, starts nothing; a bad state is a 400.
    @Test func autoRunStartsARunOnCreate() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.base
        @Sendable func body(_ autoRun: String) -> String {
            Self.body(customize: "[]").replacingOccurrences(of: #""properties":{"#, with: #""properties":{"autoRun":\#(autoRun),"#)
        }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let created = try await client.call(.put, "\(t)/auto", body: body(#"{"state":"Enabled"}"#), apiVersion: "2025-10-01")
            #expect(created.status == 201, "\(created.text)")
            let status = (created.json["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any]
            #expect(status?["runId"] != nil, "\(created.text)")
            try await Self.waitForRunEnd(client, "\(t)/auto")
            let off = try await client.call(.put, "\(t)/manual", body: body(#"{"state":"Disabled"}"#), apiVersion: "2025-10-01")
            #expect(off.status == 201 && (off.json["properties"] as? [String: Any])?["lastRunStatus"] == nil, "\(off.text)")
            let bad = try await client.call(.put, "\(t)/bad", body: body(#"{"state":"Sometimes"}"#), apiVersion: "2025-10-01")
            #expect(bad.status == 400 && bad.errorTarget == "properties.autoRun.state", "\(bad.text)")
            #expect(try await client.call(.get, "\(t)/bad", apiVersion: "2025-10-01").status == 404)
        }
    }

    @Test func createGetListRunAndDelete() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.base
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let created = try await client.call(.put, "\(t)/t1", body: Self.body(), apiVersion: "2025-10-01")
            #expect(created.status == 201, "\(created.text)")
            let props = created.json["properties"] as? [String: Any] ?? [:]
            #expect(props["provisioningState"] as? String == "Succeeded")
            #expect(created.json["id"] as? String == "\(t)/t1" && created.json["name"] as? String == "t1")
            // The same body again (members reordered) is unchanged: 200.
            let again = try await client.call(.put, "\(t)/t1", body: Self.body().replacingOccurrences(of: #""tags":{"purpose":"test"},"#, with: "")
                                                .replacingOccurrences(of: #""location":"eastus","#, with: #""tags":{"purpose":"test"},"location":"eastus","#),
                                              apiVersion: "2025-10-01")
            #expect(again.status == 200, "\(again.text)")
            let got = try await client.call(.get, "\(t)/t1", apiVersion: "2025-10-01")
            #expect(got.status == 200 && (got.json["properties"] as? [String: Any])?["lastRunStatus"] == nil)
            #expect(((got.json["properties"] as? [String: Any])?["source"] as? [String: Any])?["sku"] as? String == "gpt")

            #expect(try await client.call(.put, "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg2/providers/Microsoft.VirtualMachineImages/imageTemplates/t9",
                                          body: Self.body(), apiVersion: "2025-10-01").status == 201)
            func names(_ path: String, _ token: String) async throws -> [String] {
                let r = try await client.call(.get, path, token: token, apiVersion: "2025-10-01")
                return (r.json["value"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            }
            let sub = "/subscriptions/\(ServerFixture.subscription)/providers/Microsoft.VirtualMachineImages/imageTemplates"
            #expect(try await names(t, "admin-token") == ["t1"])
            #expect(try await names(sub, "admin-token") == ["t1", "t9"])
            #expect(try await names(sub, "reader-token") == ["t1"], "a list shows only the caller's scope")

            // Run: 202 with where to poll; the operation ends when the run does (here: Failed, no such platform image).
            let run = try await client.call(.post, "\(t)/t1/run", apiVersion: "2025-10-01")
            #expect(run.status == 202)
            let opURL = try #require(run.headers[.init("Azure-AsyncOperation")!])
            #expect(run.headers[.location] != nil && run.headers[.retryAfter] != nil)
            let opPath = String(opURL[opURL.range(of: "/subscriptions/")!.lowerBound...])
            var status: [String: Any] = [:]
            try await waitUntil("the run's operation ends") {
                status = try await client.call(.get, opPath, apiVersion: nil).json
                return status["status"] as? String != "InProgress"
            }
            #expect(status["status"] as? String == "Failed")
            let message: String = ((status["error"] as? [String: Any])?["message"] as? String) ?? ""
            #expect(message.contains("BadPIRSource"), "\(status)")
            let shown = try await client.call(.get, "\(t)/t1", apiVersion: "2025-10-01")
            let last = (shown.json["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any] ?? [:]
            #expect(last["runState"] as? String == "Failed" && last["startTime"] != nil && last["endTime"] != nil)
            let outputs = try await client.call(.get, "\(t)/t1/runOutputs", apiVersion: "2025-10-01")
            #expect(outputs.status == 200 && (outputs.json["value"] as? [Any])?.isEmpty == true)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"vmib_build_runs{state="Failed"} 1"#), "build runs by state")

            // Delete: 202 and an operation that has succeeded; then 404, and a second delete is 204.
            let deleted = try await client.call(.delete, "\(t)/t1", apiVersion: "2025-10-01")
            #expect(deleted.status == 202 && deleted.headers[.location] != nil)
            let delOp = try #require(deleted.headers[.init("Azure-AsyncOperation")!])
            let delStatus = try await client.call(.get, String(delOp[delOp.range(of: "/subscriptions/")!.lowerBound...]), apiVersion: nil)
            #expect(delStatus.json["status"] as? String == "Succeeded")
            #expect(try await client.call(.get, "\(t)/t1", apiVersion: "2025-10-01").status == 404)
            #expect(try await client.call(.delete, "\(t)/t1", apiVersion: "2025-10-01").status == 204)
        }
    }

    @Test func rollbackRoutesRefuseBadInputAndChangeNothing() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(b)/g1", body: ServerFixture.galleryBody).status == 201)
            #expect(try await client.call(.put, "\(b)/g1/images/i1", body: ServerFixture.imageBody).status == 201)
            let i = "\(b)/g1/images/i1"
            let cases: [(HTTPRequest.Method, String, String?, Int, String, String?)] = [
                (.post, "\(i)/rollback", #"{"to":1}"#, 400, "InvalidRequestContent", "to"),
                (.post, "\(i)/rollback", #"{"undo":true,"to":"1.0.0"}"#, 400, "InvalidParameter", "undo"),
                (.post, "\(i)/rollback", #"{"towards":"1.0.0"}"#, 400, "InvalidRequestContent", "towards"),
                (.post, "\(i)/rollback", #"{"to":"1.x"}"#, 400, "InvalidParameter", "to"),
                (.post, "\(i)/rollback", #"{"undo":true}"#, 409, "OperationNotAllowed", "undo"),
                (.get, "\(i)/latest?region=mars", nil, 400, "InvalidParameter", "region"),
                (.get, "\(i)/latest", nil, 404, "ResourceNotFound", "galleryImageName"),
                (.get, "\(b)/g1/images/nope/rollbackHistory", nil, 404, "ResourceNotFound", "galleryImageName"),
            ]
            for (method, path, body, status, code, target) in cases {
                let r = try await client.call(method, path, body: body)
                #expect(r.status == status, "\(method) \(path) \(body ?? ""): \(r.text.prefix(300))")
                #expect(r.errorCode == code, "\(method) \(path) \(body ?? ""): \(r.text.prefix(300))")
                #expect(r.errorTarget == target, "\(method) \(path) \(body ?? ""): \(r.text.prefix(300))")
            }
            let history = try await client.call(.get, "\(i)/rollbackHistory")
            #expect(history.status == 200 && (history.json["value"] as? [Any])?.isEmpty == true, "nothing recorded")
        }
    }

    @Test func badTemplatesAreRefusedWithTheirCodeAndFieldAndChangeNothing() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.base
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(t)/t1", body: Self.body(), apiVersion: "2025-10-01").status == 201)
            let before = try await client.call(.get, t, apiVersion: "2025-10-01").text
            let cases: [(HTTPRequest.Method, String, String?, Int, String, String?)] = [
                (.put, "\(t)/t2", Self.body(customize: #"[{"type":"Ansible","name":"x"}]"#), 400, "BadCustomizerType", "properties.customize[0].type"),
                (.put, "\(t)/t2", Self.body(customize: #"[{"type":"Shell","name":"x"}]"#), 400, "NoCustomizerScript", "properties.customize[0]"),
                (.put, "\(t)/t2", Self.body().replacingOccurrences(of: "PlatformImage", with: "Floppy"), 400, "BadSourceType", "properties.source.type"),
                (.put, "\(t)/t2", Self.body().replacingOccurrences(of: #""type":"VHD""#, with: #""type":"Tape""#), 400, "BadDistributeType", "properties.distribute[0].type"),
                (.put, "\(t)/t2", Self.body().replacingOccurrences(of: #""location":"eastus""#, with: #""location":"mars""#), 400, "Other", "location"),
                (.put, "\(t)/t2", #"{"location":"eastus","properties":{"source":1}"#, 400, "InvalidRequestContent", "body"),
                (.put, "\(t)/t2", #"{"location":"eastus","properties":{},"colour":"red"}"#, 400, "InvalidRequestContent", "colour"),
                (.put, "\(t)/t2", #"{"location":"eastus","tags":{"a":1},"properties":{}}"#, 400, "InvalidRequestContent", "tags.a"),
                (.put, "\(t)/t1", Self.body(sku: "mbr"), 409, "PropertyChangeNotAllowed", "properties"),
                (.post, "\(t)/t1/cancel", nil, 409, "OperationNotAllowed", "imageTemplateName"),
                (.post, "\(t)/nope/run", nil, 404, "ResourceNotFound", "imageTemplateName"),
                (.get, "\(t)/t1/runOutputs/nope", nil, 404, "ResourceNotFound", "runOutputName"),
                (.post, "\(t)/bad!name/run", nil, 400, "InvalidParameter", "imageTemplateName"),
                (.patch, "\(t)/t1", #"{"properties":{"source":{"type":"PlatformImage"}}}"#, 400, "InvalidRequestContent", "properties.source"),
                (.patch, "\(t)/t1", #"{"location":"westus"}"#, 400, "InvalidRequestContent", "location"),
                (.patch, "\(t)/t1", #"{"tags":{"a":1}}"#, 400, "InvalidRequestContent", "tags.a"),
                (.patch, "\(t)/t1", #"{"properties":{"distribute":[{"type":"Tape","runOutputName":"x"}]}}"#, 400, "BadDistributeType", "properties.distribute[0].type"),
                (.patch, "\(t)/nope", #"{"tags":{}}"#, 404, "ResourceNotFound", "imageTemplateName"),
            ]
            for (method, path, body, status, code, target) in cases {
                let r = try await client.call(method, path, body: body, apiVersion: "2025-10-01")
                #expect(r.status == status, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.errorCode == code, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.errorTarget == target, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.isARMError)
            }
            let conflict = try await client.call(.put, "\(t)/t1", body: Self.body(sku: "mbr"), apiVersion: "2025-10-01")
            #expect(conflict.text.contains("templates cannot be updated"))
            #expect(try await client.call(.get, t, apiVersion: "2025-10-01").text == before, "nothing changed")
        }
    }

    /// PATCH changes what Azure's ImageTemplateUpdateParameters allow (tags, identity,
    /// distribute, vmProfile), keeps the rest, and is refused while a run is active.
    @Test func patchUpdatesTagsAndDistributionOnly() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let t = Self.base
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(t)/t1", body: Self.body(), apiVersion: "2025-10-01").status == 201)
            let patch = #"{"tags":{"purpose":"nightly"},"properties":{"distribute":[{"type":"VHD","runOutputName":"nightly"}],"vmProfile":{"vmSize":"Standard_D2s_v3"}}}"#
            let patched = try await client.call(.patch, "\(t)/t1", body: patch, apiVersion: "2025-10-01")
            #expect(patched.status == 200, "\(patched.text)")
            let got = try await client.call(.get, "\(t)/t1", apiVersion: "2025-10-01").json
            let props = got["properties"] as? [String: Any] ?? [:]
            #expect((got["tags"] as? [String: String]) == ["purpose": "nightly"])
            #expect((props["distribute"] as? [[String: Any]])?.compactMap { $0["runOutputName"] as? String } == ["nightly"])
            #expect((props["vmProfile"] as? [String: Any])?["vmSize"] as? String == "Standard_D2s_v3")
            #expect((props["customize"] as? [[String: Any]])?.first?["name"] as? String == "hello", "the rest is kept")
            #expect(got["location"] as? String == "eastus")
            // What the next run distributes is the new list.
            let key = try f.service.templates.key(resourceGroup: "rg1", name: "t1")
            #expect(try f.service.templates.details(key).template.distribute.map(\.runOutputName) == ["nightly"])

            // While a run is active: 409, nothing changes.
            let run = try f.service.runs.start(key)
            let busy = try await client.call(.patch, "\(t)/t1", body: #"{"tags":{"purpose":"other"}}"#, apiVersion: "2025-10-01")
            #expect(busy.status == 409 && busy.errorCode == "OperationNotAllowed", "\(busy.text)")
            #expect((try await client.call(.get, "\(t)/t1", apiVersion: "2025-10-01").json["tags"] as? [String: String]) == ["purpose": "nightly"])
            _ = try f.service.runs.cancel(key)
            _ = run
        }
    }
}
