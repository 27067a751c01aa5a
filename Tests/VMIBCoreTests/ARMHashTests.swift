import Testing
@testable import VMIBCore

/// uniqueString() and guid() against values Azure produced.
@Suite struct ARMHashTests {
    @Test func uniqueStringMatchesAzure() {
        // Azure's expression library, as recorded in Bicep's baselines (see ARMFunctionsTests).
        #expect(ARMHash.uniqueString(["asd", "asdf", "asdf"]) == "iizpqit7ih3cc")
        // A value read back from an ARM deployment's output, published with the test that
        // checks Azure.Deployments.Expression against it (Modm.Tests.ArmFunctionsTests).
        #expect(ARMHash.uniqueString(["/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201"])
                == "yvjxno3je5on2")
    }

    @Test func uniqueStringCoversEveryTailLengthOfTheHash() {
        // Each length 0…16 takes a different path through the 8-byte blocks and the tail;
        // the values are the reference implementation's (checked independently in Python).
        #expect(ARMHash.uniqueString([""]) == "aaaaaaaaaaaaa")
        #expect(ARMHash.uniqueString(["a"]) == "eveiun73364hy")
        #expect(ARMHash.uniqueString(["abcdefgh"]) == "q7ncvd5x2rx4e")
        #expect(ARMHash.uniqueString(["abcdefghijk"]) == "zpyeg3yeec2n4")
        #expect(ARMHash.uniqueString(["ü"]) == "6t5wmuwzn24mu", "UTF-8, as Azure hashes")
        for n in 0...16 { #expect(ARMHash.uniqueString([String(repeating: "x", count: n)]).count == 13) }
    }

    @Test func guidIsAVersion5UUIDInAzuresNamespace() {
        #expect(ARMHash.guid(["asdf"]) == "228d27cc-6fdb-5934-b7ac-1efccebade04")  // Bicep baseline
        #expect(ARMHash.guid(["a", "b"]) == "2d796349-8c7e-55ec-9624-54ece82ed031", "arguments joined with '-'")
    }

    @Test func sha1MatchesFIPSVectors() {
        func hex(_ b: [UInt8]) -> String { b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
        #expect(hex(ARMHash.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(ARMHash.sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(ARMHash.sha1(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }
}
