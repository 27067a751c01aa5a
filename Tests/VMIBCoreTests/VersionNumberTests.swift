import Testing
@testable import VMIBCore

@Suite struct VersionNumberTests {
    @Test func parsesAndPrintsMajorMinorPatch() throws {
        let v = try VersionNumber(parsing: "1.20.4294967295")
        #expect(v == VersionNumber(1, 20, 4_294_967_295))
        #expect(v.description == "1.20.4294967295")
    }

    @Test(arguments: ["1.0", "1.0.0.0", "-1.0.0", "1.0.4294967296", "a.b.c", "", "1..0", "01.0.0", " 1.0.0", "1.0.+1"])
    func refusesMalformedVersions(text: String) {
        #expect(throws: DomainError.self) { try VersionNumber(parsing: text) }
        do { _ = try VersionNumber(parsing: text) } catch let e as DomainError {
            #expect(e.field == Field.version)
            #expect(e.message.contains("Major.Minor.Patch"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func ordersNumericallyNotLexically() throws {
        let versions = try ["1.10.0", "1.2.0", "1.2.10", "1.2.9", "0.9.9"].map { try VersionNumber(parsing: $0) }
        #expect(versions.sorted().map(\.description) == ["0.9.9", "1.2.0", "1.2.9", "1.2.10", "1.10.0"])
    }
}
