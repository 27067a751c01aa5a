extension TopologyParser {
    /// `"builds": {"acceleration": "auto", "vmSizes": {NAME: {"vCPUs": N, "memoryMiB": N}},
    /// "networks": {"VNET/SUBNET": {"mode": "host"} | {"mode": "restricted", "forward":
    /// [{"guest": "169.254.10.4:8080", "target": "127.0.0.1:8080"}]}}}`.
    static func builds(_ value: JSONValue, path: String) throws -> BuildHost {
        guard case .object(let members) = value else { throw DomainError.invalid(.named(path), "expected an object with acceleration, vmSizes, networks") }
        var host = BuildHost()
        for (key, v) in members {
            switch key {
            case "acceleration":
                let s = try string(v, "\(path).acceleration")!
                guard let a = BuildHost.Acceleration(rawValue: s) else {
                    throw DomainError.invalid(.named("\(path).acceleration"), "'\(s)' is not allowed; allowed: \(BuildHost.Acceleration.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                host.acceleration = a
            case "vmSizes":
                guard case .object(let sizes) = v else { throw DomainError.invalid(.named("\(path).vmSizes"), "expected an object mapping VM size names to {vCPUs, memoryMiB}") }
                for (name, spec) in sizes {
                    let p = "\(path).vmSizes.\(name)"
                    guard case .object = spec, let c = spec["vCPUs"], let m = spec["memoryMiB"] else {
                        throw DomainError.invalid(.named(p), "expected {\"vCPUs\": 1…64, \"memoryMiB\": 256…1048576}")
                    }
                    host.vmSizes[name.lowercased()] = .init(cpus: Int(try number(c, "\(p).vCPUs", range: 1...64, integer: true)),
                                                           memoryMiB: Int(try number(m, "\(p).memoryMiB", range: 256...1_048_576, integer: true)))
                }
            case "networks":
                guard case .object(let nets) = v else { throw DomainError.invalid(.named("\(path).networks"), "expected an object mapping VNET/SUBNET names to networks") }
                for (name, spec) in nets {
                    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty }) else {
                        throw DomainError.invalid(.named("\(path).networks.\(name)"), "a network is named VIRTUALNETWORK/SUBNET, as a template's vnetConfig.subnetId ends")
                    }
                    host.networks[name.lowercased()] = try network(spec, path: "\(path).networks.\(name)")
                }
            default:
                throw DomainError.invalid(.named("\(path).\(key)"), "unknown setting; allowed: acceleration, vmSizes, networks")
            }
        }
        return host
    }

    private static func network(_ spec: JSONValue, path: String) throws -> BuildHost.Network {
        guard case .object = spec else { throw DomainError.invalid(.named(path), "expected {\"mode\": \"host\"} or {\"mode\": \"restricted\", \"forward\": […]}") }
        let mode = try string(spec["mode"], "\(path).mode")!
        switch mode {
        case "host":
            return .host
        case "restricted":
            guard case .array(let items)? = spec["forward"] else {
                throw DomainError.invalid(.named("\(path).forward"), "a restricted network lists what it reaches: [{\"guest\": \"169.254.10.4:8080\", \"target\": \"127.0.0.1:8080\"}]")
            }
            var seen = Set<String>()
            return .restricted(try items.enumerated().map { i, item in
                let p = "\(path).forward[\(i)]"
                let guest = try string(item["guest"], "\(p).guest")!
                let target = try string(item["target"], "\(p).target")!
                guard let (ga, gp) = hostPort(guest), isGuestAddress(ga) else {
                    throw DomainError.invalid(.named("\(p).guest"), "'\(guest)' is not ADDRESS:PORT with an IPv4 address in 169.254.0.0/16 outside 169.254.2.0/24 (the VM's own network)")
                }
                guard seen.insert(guest).inserted else { throw DomainError.invalid(.named("\(p).guest"), "'\(guest)' is listed twice") }
                guard let (th, tp) = hostPort(target), th.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                    throw DomainError.invalid(.named("\(p).target"), "'\(target)' is not HOST:PORT (a host name or IPv4 address, a port 1…65535)")
                }
                return .init(guestAddress: ga, guestPort: gp, target: th, targetPort: tp)
            })
        default:
            throw DomainError.invalid(.named("\(path).mode"), "'\(mode)' is not allowed; allowed: host, restricted")
        }
    }

    private static func hostPort(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(s[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// 169.254.0.0/16, but not 169.254.2.0/24, where the VM, its gateway and its DNS live.
    private static func isGuestAddress(_ a: String) -> Bool {
        let o = a.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        return o.count == 4 && o[0] == 169 && o[1] == 254 && o[2] != 2
    }
}
