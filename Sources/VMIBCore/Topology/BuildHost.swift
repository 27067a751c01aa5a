/// How a deployment runs build VMs: the acceleration, the VM sizes a template may ask for,
/// and the networks a template's `vmProfile.vnetConfig` may name (topology `"builds"`).
public struct BuildHost: Sendable, Hashable {
    public enum Acceleration: String, Sendable, Hashable, Codable, CaseIterable {
        /// Try KVM once per process; use software emulation (TCG) when it does not start.
        case auto
        case kvm
        /// Software emulation: slower, works anywhere.
        case tcg
    }

    public struct VMSize: Sendable, Hashable {
        public var cpus: Int
        public var memoryMiB: Int
        public init(cpus: Int, memoryMiB: Int) { self.cpus = cpus; self.memoryMiB = memoryMiB }
    }

    /// One TCP target a restricted network lets the VM reach: the VM connects to
    /// `guestAddress:guestPort` (an address in 169.254.0.0/16) and reaches `target:targetPort`
    /// as the host sees it.
    public struct Forward: Sendable, Hashable, Codable {
        public var guestAddress: String
        public var guestPort: Int
        public var target: String
        public var targetPort: Int
        public init(guestAddress: String, guestPort: Int, target: String, targetPort: Int) {
            self.guestAddress = guestAddress; self.guestPort = guestPort; self.target = target; self.targetPort = targetPort
        }
    }

    public enum Network: Sendable, Hashable, Codable {
        /// Everything the host reaches; the host's own loopback answers at 169.254.2.2.
        case host
        /// Only the listed forwards; every other connection fails.
        case restricted([Forward])
    }

    public var acceleration: Acceleration
    /// By lowercased name.
    public var vmSizes: [String: VMSize]
    /// By lowercased `virtualNetwork/subnet`.
    public var networks: [String: Network]

    public init(acceleration: Acceleration = .auto, vmSizes: [String: VMSize] = BuildHost.azureVMSizes,
                networks: [String: Network] = [:]) {
        self.acceleration = acceleration; self.vmSizes = vmSizes; self.networks = networks
    }

    /// Azure Image Builder's default build VM size.
    public static let defaultVMSize = "Standard_D1_v2"

    /// A few of Azure's general-purpose sizes (vCPUs, memory), by lowercased name; a
    /// topology's `builds.vmSizes` adds to or replaces them.
    public static let azureVMSizes: [String: VMSize] = [
        "standard_d1_v2": .init(cpus: 1, memoryMiB: 3584), "standard_d2_v2": .init(cpus: 2, memoryMiB: 7168),
        "standard_d3_v2": .init(cpus: 4, memoryMiB: 14336), "standard_ds1_v2": .init(cpus: 1, memoryMiB: 3584),
        "standard_ds2_v2": .init(cpus: 2, memoryMiB: 7168), "standard_d2s_v3": .init(cpus: 2, memoryMiB: 8192),
        "standard_d4s_v3": .init(cpus: 4, memoryMiB: 16384), "standard_d2ds_v4": .init(cpus: 2, memoryMiB: 8192),
        "standard_d2s_v5": .init(cpus: 2, memoryMiB: 8192), "standard_d4s_v5": .init(cpus: 4, memoryMiB: 16384),
        "standard_b1s": .init(cpus: 1, memoryMiB: 1024), "standard_b2s": .init(cpus: 2, memoryMiB: 4096),
        "standard_a1_v2": .init(cpus: 1, memoryMiB: 2048),
    ]

    /// The size a profile asks for.
    /// - Throws: `DomainError` on `properties.vmProfile.vmSize` naming the sizes offered.
    public func vmSize(_ name: String?) throws -> (name: String, size: VMSize) {
        let asked = (name?.isEmpty ?? true) ? Self.defaultVMSize : name!
        guard let size = vmSizes[asked.lowercased()] else {
            throw DomainError.invalid(.named("properties.vmProfile.vmSize"),
                                      "'\(asked)' is not a VM size this deployment offers; offered: \(vmSizes.keys.sorted().joined(separator: ", "))")
        }
        return (asked, size)
    }

    /// The network a profile names (nil: none).
    /// - Throws: `DomainError` on `properties.vmProfile.vnetConfig.subnetId` naming the networks offered.
    public func network(_ key: String?) throws -> Network? {
        guard let key else { return nil }
        guard let n = networks[key.lowercased()] else {
            let offered = networks.keys.sorted()
            throw DomainError.invalid(.named("properties.vmProfile.vnetConfig.subnetId"),
                                      "network '\(key)' is not offered by this deployment; offered: \(offered.isEmpty ? "none (builds have no network)" : offered.joined(separator: ", "))")
        }
        return n
    }
}
