import Foundation
import Testing
import VMIBTestSupport

/// `template plan` shows bytes per link and, with the topology's price sheet, an estimate.
extension TemplateCLISuites {
    @Suite struct UsagePlanTests {
        @Test func templatePlanPrintsBytesPerLinkAndTheEstimate() async throws {
            let f = try await TemplateFixture()
            // The catalog states the image's size: the plan's figures are per byte of it.
            let catalog = f.dir.appendingPathComponent("marketplace.json")
            var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: catalog)) as? [String: Any])
            var entries = try #require(doc["entries"] as? [[String: Any]])
            entries[0]["sizeBytes"] = 48 << 20
            doc["entries"] = entries
            try JSONSerialization.data(withJSONObject: doc).write(to: catalog)
            let body = TemplateFixture.body(customize: [], distribute: [
                TemplateFixture.sharedImage(regions: [["name": "eastus", "replicaCount": 2], ["name": "westeurope"]]),
            ])
            try expectSuccess(await f.vmib.run("template", "create", "--name", "priced", "--file", try f.templateFile("priced", body)))
            let priced = RepositoryPaths.root.appendingPathComponent("topology/prices-example.json").path

            let json = try await f.vmib.run("template", "plan", "priced", "--topology", priced, "--output", "json")
            try expectSuccess(json)
            let plan = try #require(try json.json() as? [String: Any])
            let size = try #require((plan["source"] as? [String: Any])?["sizeBytes"] as? Int)
            #expect(size == 48 << 20)
            let minutes = try #require(plan["buildTimeoutInMinutes"] as? Int)
            let transfers = try #require(plan["transfers"] as? [String: Any])
            let links = try #require(transfers["links"] as? [[String: Any]]).map { "\($0["from"]!)>\($0["to"]!)=\($0["bytes"]!)" }
            #expect(links == ["origin>eastus=\(size)", "eastus>eastus=\(size)", "origin>westeurope=\(size)"])
            #expect(transfers["storedBytes"] as? Int == 3 * size)
            let e = try #require(transfers["estimate"] as? [String: Any])
            #expect(e["label"] as? String == "estimate")
            let gib = Double(1 << 30), s = Double(size)
            // topology/prices-example.json: origin->eastus and inRegion free, else 0.02/GiB;
            // Standard_LRS 0.05, westeurope 0.055 per GiB-month; 0.0016 per build minute.
            let expected = s / gib * 0.02 + (2 * s / gib * 0.05 + s / gib * 0.055) + Double(minutes) * 0.0016
            #expect(abs((e["total"] as? Double ?? 0) - expected) < 1e-9, "\(e)")

            let table = try await f.vmib.run("template", "plan", "priced", "--topology", priced)
            try expectSuccess(table)
            for line in ["origin → eastus: \(size) bytes", "eastus (in-region copy): \(size) bytes", "origin → westeurope: \(size) bytes",
                         "ESTIMATE: ", "not a bill"] {
                #expect(table.stdout.contains(line), "\(line) in \(table.stdout)")
            }
            let unpriced = try await f.vmib.run("template", "plan", "priced")
            #expect(unpriced.stdout.contains("no price sheet") && !unpriced.stdout.contains("ESTIMATE"), "\(unpriced.stdout)")
        }
    }
}
