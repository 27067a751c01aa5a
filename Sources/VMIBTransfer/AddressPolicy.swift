import Foundation

/// Which addresses a fetch may connect to. A server fetching what a template names must not
/// become a way into the networks it sits in (loopback services, cloud metadata at
/// 169.254.169.254, private ranges); an operator can allow them.
public enum AddressPolicy: Sendable, Hashable {
    /// Any address (the embedded CLI, fetching for its own user; operator-configured URLs).
    case any
    /// Public addresses only: no loopback, link-local, private, shared (CGNAT), unspecified
    /// or multicast address, IPv4 or IPv6 (IPv4-mapped IPv6 counts as its IPv4).
    case publicOnly

    /// Why `ip` is refused, or nil.
    public func refusal(of ip: String) -> String? {
        guard self == .publicOnly else { return nil }
        if let v4 = Self.ipv4(ip) { return Self.refusal(v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, ip, &v6) == 1 else { return "not an IP address" }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF {
            return Self.refusal(UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15]))
        }
        if b.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
        if b[0..<15].allSatisfy({ $0 == 0 }), b[15] == 1 { return "a loopback address" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return "a link-local address" }
        if b[0] & 0xFE == 0xFC { return "a private (unique local) address" }
        if b[0] == 0xFF { return "a multicast address" }
        return nil
    }

    private static func refusal(_ a: UInt32) -> String? {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { a >> (32 - bits) == base >> (32 - bits) }
        if within(0x7F00_0000, 8) { return "a loopback address" }
        if within(0xA9FE_0000, 16) { return "a link-local address (cloud metadata lives there)" }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return "a private address" }
        if within(0x6440_0000, 10) { return "a shared (carrier-grade NAT) address" }
        if within(0x0000_0000, 8) { return "the unspecified network" }
        if a >= 0xE000_0000 { return "a multicast or reserved address" }
        return nil
    }

    private static func ipv4(_ ip: String) -> UInt32? {
        var v4 = in_addr()
        guard inet_pton(AF_INET, ip, &v4) == 1 else { return nil }
        return UInt32(bigEndian: v4.s_addr)
    }

    /// The text form of a socket address libcurl is about to connect to.
    static func text(of address: UnsafeRawPointer, family: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch family {
        case AF_INET:
            let sin = address.assumingMemoryBound(to: sockaddr_in.self)
            var a = sin.pointee.sin_addr
            return inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
        case AF_INET6:
            let sin6 = address.assumingMemoryBound(to: sockaddr_in6.self)
            var a = sin6.pointee.sin6_addr
            return inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)).map { _ in String(cString: buffer) }
        default:
            return nil
        }
    }
}
