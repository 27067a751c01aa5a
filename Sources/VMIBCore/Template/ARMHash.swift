/// The deterministic names ARM's `uniqueString()` and `guid()` make, byte for byte as Azure
/// makes them, so that a template deployed here names things as it does in Azure.
///
/// Checked against values Azure's own expression library produced: the baselines Bicep
/// generates with it (`src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/
/// parameters.json` in Azure/bicep: `uniqueString('asd', 'asdf', 'asdf')` is
/// `iizpqit7ih3cc`, `guid('asdf')` is `228d27cc-6fdb-5934-b7ac-1efccebade04`), and a
/// value read back from a deployment (`uniqueString` of a virtual machine id, see the tests).
public enum ARMHash {
    /// `uniqueString(a, b, …)`: the arguments joined with `-`, UTF-8, hashed with the
    /// MurmurHash64 of Azure's ResourceStack library (two interleaved MurmurHash3 x86
    /// lanes, seed 0), the 64 bits written as 13 characters of lowercase base32 (RFC 4648
    /// alphabet), most significant first.
    public static func uniqueString(_ parts: [String]) -> String {
        var h = murmurHash64(Array(parts.joined(separator: "-").utf8))
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var out = ""
        for _ in 0..<13 {
            out.append(alphabet[Int(h >> 59)])
            h <<= 5
        }
        return out
    }

    /// `guid(a, b, …)`: a name-based (version 5, SHA-1) UUID of the arguments joined with
    /// `-` (UTF-8) in Azure's namespace `11fb06fb-712d-4ddd-98c7-e71bbd588830`, lowercase.
    public static func guid(_ parts: [String]) -> String {
        let namespace: [UInt8] = [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30]
        var bytes = Array(sha1(namespace + Array(parts.joined(separator: "-").utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let h = Array(hex)
        return [h[0..<8], h[8..<12], h[12..<16], h[16..<20], h[20..<32]].map { String($0) }.joined(separator: "-")
    }

    /// Azure's MurmurHash64 (ResourceStack's `ComputeHash.MurmurHash64`, seed 0).
    public static func murmurHash64(_ data: [UInt8]) -> UInt64 {
        let c1: UInt32 = 0x239b961b, c2: UInt32 = 0xab0e9789, c3: UInt32 = 0x561ccd1b, c4: UInt32 = 0x0bcaa747
        let c5: UInt32 = 0x85ebca6b, c6: UInt32 = 0xc2b2ae35
        func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
        func word(_ at: Int, _ count: Int) -> UInt32 {
            var w: UInt32 = 0
            for k in 0..<count { w |= UInt32(data[at + k]) << (8 * UInt32(k)) }
            return w
        }
        let length = data.count
        var h1: UInt32 = 0, h2: UInt32 = 0
        var i = 0
        while i + 7 < length {
            let k1 = rotl(word(i, 4) &* c1, 15) &* c2
            h1 = (rotl(h1 ^ k1, 19) &+ h2) &* 5 &+ c3
            let k2 = rotl(word(i + 4, 4) &* c2, 17) &* c1
            h2 = (rotl(h2 ^ k2, 13) &+ h1) &* 5 &+ c4
            i += 8
        }
        let tail = length - i
        if tail > 0 {
            h1 ^= rotl(word(i, min(tail, 4)) &* c1, 15) &* c2
            if tail > 4 { h2 ^= rotl(word(i + 4, tail - 4) &* c2, 17) &* c1 }
        }
        h1 ^= UInt32(truncatingIfNeeded: length)
        h2 ^= UInt32(truncatingIfNeeded: length)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        func mix(_ h: UInt32) -> UInt32 {
            var h = h
            h ^= h >> 16; h = h &* c5
            h ^= h >> 13; h = h &* c6
            return h ^ (h >> 16)
        }
        h1 = mix(h1)
        h2 = mix(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return UInt64(h2) << 32 | UInt64(h1)
    }

    /// SHA-1 (FIPS 180-4), for name-based UUIDs only: VMIBCore depends on no crypto library,
    /// and nothing here relies on SHA-1 resisting collisions.
    public static func sha1(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        var m = message
        let bitLength = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for k in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }
        func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
        var w = [UInt32](repeating: 0, count: 80)
        for block in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 {
                w[t] = UInt32(m[block + 4 * t]) << 24 | UInt32(m[block + 4 * t + 1]) << 16
                    | UInt32(m[block + 4 * t + 2]) << 8 | UInt32(m[block + 4 * t + 3])
            }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                default: f = b ^ c ^ d; k = 0xCA62C1D6
                }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = rotl(b, 30); b = a; a = temp
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }
}
