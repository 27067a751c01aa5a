import Foundation
import Testing
import VMIBTestSupport

/// Every bad input gets one line naming the field and what is allowed, exit code 2, and
/// leaves the state database exactly as it was.
@Suite struct BadInputTests {
    let dir: URL
    let vmib: VMIBProcess
    let disk: String

    init() async throws {
        dir = try TestFiles.directory("vmib-bad")
        vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path)
        disk = dir.appendingPathComponent("disk.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 1 << 20)
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                   "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
        try expectSuccess(await vmib.run("version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0",
                                   "--disk", disk, "--target-region", "eastus=1"))
    }

    func publish(_ extra: [String], version: String = "2.0.0", disk: String? = nil, gallery: String = "G", image: String = "I") -> [String] {
        ["version", "publish", "--gallery", gallery, "--image", image, "--version=\(version)", "--disk", disk ?? self.disk] + extra
    }

    static let cases: [(String, [String], String, String)] = [
        ("unknown region", ["--target-region", "eastsu=1"], "--target-region", "did you mean eastus"),
        ("replica count 0", ["--target-region", "eastus=0"], "--target-region", "1…100"),
        ("replica count 101", ["--target-region", "eastus=101"], "--target-region", "1…100"),
        ("unknown storage type", ["--target-region", "eastus=1:Fast_LRS"], "--target-region", "Standard_LRS, Standard_ZRS, Premium_LRS"),
        ("no target region", [], "--target-region", "at least one"),
        ("bad end of life", ["--target-region", "eastus", "--end-of-life", "next tuesday"], "--end-of-life", "ISO 8601"),
    ]

    @Test(arguments: cases.map(\.0))
    func refusesBadTargetsAndChangesNothing(label: String) async throws {
        let c = Self.cases.first { $0.0 == label }!
        try await expectRefusal(publish(c.1), field: c.2, says: c.3)
    }

    /// The default topology offers every storage type; a topology may offer fewer.
    @Test func refusesAStorageTypeTheRegionDoesNotOffer() async throws {
        let topology = dir.appendingPathComponent("lrs-only.json")
        try #"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "regions/eastus"}}}]}"#
            .write(to: topology, atomically: true, encoding: .utf8)
        try await expectRefusal(publish(["--target-region", "eastus=1:Premium_LRS", "--topology", topology.path]),
                                field: "--target-region", says: "offers: Standard_LRS")
    }

    @Test(arguments: ["1.0", "1.0.0.0", "-1.0.0", "1.0.4294967296", "a.b.c"])
    func refusesBadVersionStrings(version: String) async throws {
        try await expectRefusal(publish(["--target-region", "eastus"], version: version), field: "--version", says: "Major.Minor.Patch")
    }

    @Test func refusesAVersionThatExists() async throws {
        try await expectRefusal(publish(["--target-region", "eastus"], version: "1.0.0"), field: "--version", says: "already exists")
    }

    @Test func refusesAMissingOrUnreadableDisk() async throws {
        try await expectRefusal(publish(["--target-region", "eastus"], disk: dir.appendingPathComponent("nope.raw").path),
                          field: "--disk", says: "does not exist")
        try await expectRefusal(publish(["--target-region", "eastus"], disk: dir.path), field: "--disk", says: "directory")
    }

    @Test func refusesAMissingGalleryOrImage() async throws {
        try await expectRefusal(publish(["--target-region", "eastus"], gallery: "Nope"), field: "--gallery", says: "does not exist")
        try await expectRefusal(publish(["--target-region", "eastus"], image: "Nope"), field: "--image", says: "does not exist")
        try await expectRefusal(["image", "create", "--gallery", "G", "--name", "J", "--os-type", "Plan9", "--os-state", "Generalized",
                           "--publisher", "P", "--offer", "O", "--sku", "S"], field: "--os-type", says: "Linux, Windows")
        try await expectRefusal(["gallery", "create", "--name", "bad/name"], field: "--name", says: "not allowed")
    }

    @Test func refusesAMalformedTopologyFile() async throws {
        let bad = dir.appendingPathComponent("bad-topology.json")
        for (text, field) in [("{ not json", "not valid JSON"),
                              (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}, "limits": {"bytesPerSecond": -1}}]}"#,
                               "regions[0].limits.bytesPerSecond")] {
            try text.write(to: bad, atomically: true, encoding: .utf8)
            try await expectRefusal(publish(["--target-region", "eastus", "--topology", bad.path]), field: "--topology", says: field)
        }
    }

    static let updateCases: [(String, [String], String, String)] = [
        ("count 0", ["--target-region", "eastus=0"], "--target-region", "1…100"),
        ("count 101", ["--target-region", "eastus=101"], "--target-region", "1…100"),
        ("unknown region", ["--target-region", "westeurop=1"], "--target-region", "did you mean westeurope"),
        ("remove unknown region", ["--remove-region", "eastsu"], "--remove-region", "unknown region"),
        ("remove untargeted region", ["--remove-region", "westus"], "--remove-region", "not a target region"),
        ("remove without consent", ["--remove-region", "eastus"], "--remove-region", "allowDeletionOfReplicatedLocations"),
        ("end of life not ISO 8601", ["--end-of-life", "31/12/2027"], "--end-of-life", "ISO 8601"),
        ("expected deployments 0", ["--expected-deployments", "eastus=0"], "--expected-deployments", "positive"),
        ("expected deployments malformed", ["--expected-deployments", "eastus"], "--expected-deployments", "REGION=N"),
        ("exclude in untargeted region", ["--exclude-region-from-latest", "westus"], "--exclude-region-from-latest", "not a target region"),
    ]

    @Test(arguments: updateCases.map(\.0))
    func refusesBadUpdatesAndChangesNothing(label: String) async throws {
        let c = Self.updateCases.first { $0.0 == label }!
        try await expectRefusal(["version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0"] + c.1, field: c.2, says: c.3)
    }

    @Test func refusesRollbackOfASingleVersionAndUndoWithoutHistory() async throws {
        try await expectRefusal(["image", "rollback", "--gallery", "G", "--image", "I"], field: "--image", says: "nothing to roll back to")
        try await expectRefusal(["image", "rollback", "--gallery", "G", "--image", "I", "--undo"], field: "--undo", says: "no rollback to undo")
        try await expectRefusal(["image", "rollback", "--gallery", "G", "--image", "I", "--to", "9.9.9"], field: "--to", says: "does not exist")
        try await expectRefusal(["image", "latest", "--gallery", "G", "--image", "I", "--region", "moon"], field: "--region", says: "unknown region")
        try await expectRefusal(["version", "deprecate", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--replacement", "1.0.0"],
                                field: "--replacement", says: "cannot replace itself")
        try await expectRefusal(["image", "delete", "--gallery", "G", "--name", "I"], field: "--name", says: "still has 1 version")
        try await expectRefusal(["gallery", "delete", "--name", "G"], field: "--name", says: "still has 1 image definition")
    }

    @Test func unknownCommandsAndOptionsExitTwo() async throws {
        #expect(try await vmib.run("version", "frobnicate").exitCode == 2)
        #expect(try await vmib.run("version", "publish", "--bogus").exitCode == 2)
        #expect(try await vmib.run("--help").exitCode == 0)
    }

    func expectRefusal(_ args: [String], field: String, says: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await vmib.databaseDump()
        let r = try await vmib.run(args)
        #expect(r.exitCode == 2, "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(field) && r.stderr.contains(says), "\(r.stderr)", sourceLocation: sourceLocation)
        let after = try await vmib.databaseDump()
        #expect(after == before, "the store is unchanged", sourceLocation: sourceLocation)
    }
}
