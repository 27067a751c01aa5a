import Testing
import VMIBTransfer

@Suite struct AddressPolicyTests {
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
        ("100.64.0.1", "carrier-grade"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
        ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"), ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ])
    func publicOnlyRefusesInternalAddresses(ip: String, says: String) {
        let why = AddressPolicy.publicOnly.refusal(of: ip)
        #expect(why?.contains(says) == true, "\(ip): \(String(describing: why))")
        #expect(AddressPolicy.any.refusal(of: ip) == nil)
    }

    @Test(arguments: ["8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
    func publicOnlyAllowsPublicAddresses(ip: String) {
        #expect(AddressPolicy.publicOnly.refusal(of: ip) == nil, "\(ip)")
    }
}
