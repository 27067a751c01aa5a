import Testing
import VMIBCore

@Suite struct KeyedBackoffTests {
    @Test func doublesPerKeyUpToTheCapAndForgetsOnSuccess() {
        var b = KeyedBackoff<String>(base: .milliseconds(500), max: .seconds(3))
        #expect(b.failed("a") == .milliseconds(500))
        #expect(b.failed("a") == .seconds(1))
        #expect(b.failed("b") == .milliseconds(500))
        #expect(b.failed("a") == .seconds(2))
        #expect(b.failed("a") == .seconds(3))
        #expect(b.failures(of: "a") == 4)
        b.forget("a")
        #expect(b.failures(of: "a") == 0)
        #expect(b.failed("a") == .milliseconds(500))
        #expect(b.failures(of: "b") == 1)
    }
}
