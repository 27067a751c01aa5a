import Foundation

/// Reads a deployment topology file, checking every field against the region catalog.
/// Errors name the field by its path (`regions[1].limits.bytesPerSecond`).
public enum TopologyParser {
    public static func parse(_ text: String, catalog: RegionCatalog, file: String = "topology") throws -> DeploymentTopology {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch let e as JSONParser.SyntaxError {
            throw DomainError.invalid(.named(file), "not valid JSON: \(e)")
        }
        guard case .object = root else { throw DomainError.invalid(.named(file), "expected a JSON object with \"regions\"") }
        let name = try string(root["name"], "\(file): name", optional: true) ?? "unnamed"
        var defaults = RegionLimits.default
        if let d = root["defaults"]?["limits"] {
            defaults = try limits(d, base: defaults, path: "\(file): defaults.limits")
        }
        var defaultScrub = ScrubSchedule.default
        if let d = root["defaults"]?["scrub"] {
            defaultScrub = try scrub(d, base: defaultScrub, path: "\(file): defaults.scrub")
        }
        var retry = RetryPolicy.default
        if let r = root["defaults"]?["retry"] {
            retry = try retryPolicy(r, path: "\(file): defaults.retry")
        }
        guard case .array(let items)? = root["regions"], !items.isEmpty else {
            throw DomainError.invalid(.named("\(file): regions"), "expected a non-empty array of regions")
        }
        var regions: [DeploymentTopology.Region] = []
        for (n, item) in items.enumerated() {
            let path = "\(file): regions[\(n)]"
            guard case .object = item else { throw DomainError.invalid(.named(path), "expected an object, found \(item.typeName)") }
            let regionName = try string(item["name"], "\(path).name")!
            let known = try catalog.region(named: regionName, field: .named("\(path).name"))
            guard !regions.contains(where: { $0.name == known.name }) else {
                throw DomainError.invalid(.named("\(path).name"), "region '\(known.name)' is listed twice")
            }
            guard case .object(let storageMembers)? = item["storage"], !storageMembers.isEmpty else {
                throw DomainError.invalid(.named("\(path).storage"), "expected an object mapping storage account types (\(StorageAccountType.allCases.map(\.rawValue).joined(separator: ", "))) to storage")
            }
            var storage: [(type: StorageAccountType, spec: StorageSpec)] = []
            for (key, value) in storageMembers {
                let type = try StorageAccountType(parsing: key, field: .named("\(path).storage"))
                storage.append((type, try spec(value, path: "\(path).storage.\(key)")))
            }
            let regionLimits = try item["limits"].map { try limits($0, base: defaults, path: "\(path).limits") } ?? defaults
            let regionScrub = try item["scrub"].map { try scrub($0, base: defaultScrub, path: "\(path).scrub") } ?? defaultScrub
            var region = DeploymentTopology.Region(name: known.name, displayName: known.displayName, storage: storage,
                                                   limits: regionLimits, scrub: regionScrub)
            region.agent = try item["agent"].map { try regionAgent($0, catalog: catalog, path: "\(path).agent") }
            regions.append(region)
        }
        var topology = DeploymentTopology(name: name, regions: regions, retry: retry)
        if let t = root["templates"] {
            guard case .object(let members) = t else { throw DomainError.invalid(.named("\(file): templates"), "expected an object, found \(t.typeName)") }
            for (key, value) in members {
                guard key == "fetchFromPrivateNetworks" else {
                    throw DomainError.invalid(.named("\(file): templates.\(key)"), "unknown setting; allowed: fetchFromPrivateNetworks")
                }
                guard case .bool(let allowed) = value else {
                    throw DomainError.invalid(.named("\(file): templates.fetchFromPrivateNetworks"), "expected true or false, found \(value.typeName)")
                }
                topology.fetchFromPrivateNetworks = allowed
            }
        }
        if let c = root["chunkSizeBytes"] {
            let field = "\(file): chunkSizeBytes"
            let size = Int64(try number(c, field, range: Double(1 << 16)...Double(1 << 26), integer: true))
            guard ChunkIndex.isAllowed(size) else {
                throw DomainError.invalid(.named(field), "\(size) is not allowed; a power of two from 65536 (64 KiB) to 67108864 (64 MiB)")
            }
            topology.chunkSize = size
        }
        if let b = root["builds"] { topology.builds = try builds(b, path: "\(file): builds") }
        if let p = root["prices"] { topology.prices = try prices(p, catalog: catalog, path: "\(file): prices") }
        topology.agents = try agents(root["agents"], regions: regions, file: file)
        if let o = root["origin"] {
            guard case .s3(let s3) = try spec(o, path: "\(file): origin") else {
                throw DomainError.invalid(.named("\(file): origin.kind"), "the shared origin is an s3 bucket; a directory every server mounts is --origin-dir")
            }
            topology.origin = s3
        }
        return topology
    }

    private static func retryPolicy(_ value: JSONValue, path: String) throws -> RetryPolicy {
        guard case .object = value else { throw DomainError.invalid(.named(path), "expected an object") }
        var p = RetryPolicy.default
        if let v = value["maxAttempts"] { p.maxAttempts = Int(try number(v, "\(path).maxAttempts", range: 1...100, integer: true)) }
        if let v = value["baseDelayMs"] { p.baseDelay = .milliseconds(Int64(try number(v, "\(path).baseDelayMs", range: 1...3_600_000, integer: true))) }
        if let v = value["maxDelayMs"] { p.maxDelay = .milliseconds(Int64(try number(v, "\(path).maxDelayMs", range: 1...3_600_000, integer: true))) }
        return p
    }

    private static func spec(_ value: JSONValue, path: String) throws -> StorageSpec {
        guard case .object = value else { throw DomainError.invalid(.named(path), "expected an object with \"kind\"") }
        let kind = try string(value["kind"], "\(path).kind")!
        switch kind {
        case "directory":
            return .directory(path: try string(value["path"], "\(path).path")!)
        case "s3":
            let endpoint = try string(value["endpoint"], "\(path).endpoint")!
            guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw DomainError.invalid(.named("\(path).endpoint"), "'\(endpoint)' is not an http(s) URL")
            }
            let s3 = S3StorageSpec(
                endpoint: endpoint,
                bucket: try string(value["bucket"], "\(path).bucket")!,
                signingRegion: try string(value["signingRegion"], "\(path).signingRegion", optional: true) ?? "us-east-1",
                accessKeyEnv: try string(value["accessKeyEnv"], "\(path).accessKeyEnv", optional: true),
                secretKeyEnv: try string(value["secretKeyEnv"], "\(path).secretKeyEnv", optional: true),
                credentialsFile: try string(value["credentialsFile"], "\(path).credentialsFile", optional: true),
                payloadSigning: try string(value["payloadSigning"], "\(path).payloadSigning", optional: true) ?? "auto")
            guard S3StorageSpec.payloadSigningValues.contains(s3.payloadSigning) else {
                throw DomainError.invalid(.named("\(path).payloadSigning"), "'\(s3.payloadSigning)' is not allowed; allowed: \(S3StorageSpec.payloadSigningValues.joined(separator: ", "))")
            }
            guard (s3.accessKeyEnv != nil && s3.secretKeyEnv != nil) || s3.credentialsFile != nil else {
                throw DomainError.invalid(.named(path), "an s3 storage needs accessKeyEnv and secretKeyEnv, or credentialsFile")
            }
            if value["accessKey"] != nil || value["secretKey"] != nil {
                throw DomainError.invalid(.named(path), "credentials may not be written into the topology; name them with accessKeyEnv/secretKeyEnv or credentialsFile")
            }
            return .s3(s3)
        default:
            throw DomainError.invalid(.named("\(path).kind"), "'\(kind)' is not a storage kind; allowed: directory, s3")
        }
    }

    private static func limits(_ value: JSONValue, base: RegionLimits, path: String) throws -> RegionLimits {
        guard case .object = value else { throw DomainError.invalid(.named(path), "expected an object") }
        var l = base
        if let v = value["concurrentTransfers"] {
            l.concurrentTransfers = Int(try number(v, "\(path).concurrentTransfers", range: 1...1024, integer: true))
        }
        if let v = value["bytesPerSecond"] {
            l.bytesPerSecond = Int64(try number(v, "\(path).bytesPerSecond", range: 0...1e13, integer: true))
        }
        if let v = value["requestsPerSecond"] {
            l.requestsPerSecond = try number(v, "\(path).requestsPerSecond", range: 0...1e6, integer: false)
        }
        return l
    }

    /// Up to a year; 0 turns the check off.
    private static func scrub(_ value: JSONValue, base: ScrubSchedule, path: String) throws -> ScrubSchedule {
        guard case .object = value else { throw DomainError.invalid(.named(path), "expected an object with intervalSeconds, deepIntervalSeconds") }
        var s = base
        if let v = value["intervalSeconds"] {
            s.intervalSeconds = Int(try number(v, "\(path).intervalSeconds", range: 0...31_536_000, integer: true))
        }
        if let v = value["deepIntervalSeconds"] {
            s.deepIntervalSeconds = Int(try number(v, "\(path).deepIntervalSeconds", range: 0...31_536_000, integer: true))
        }
        return s
    }

    static func number(_ v: JSONValue, _ path: String, range: ClosedRange<Double>, integer: Bool) throws -> Double {
        let what = integer ? "an integer" : "a number"
        guard case .number(let n) = v, range.contains(n), !integer || n.rounded() == n else {
            throw DomainError.invalid(.named(path), "expected \(what) in \(Int64(range.lowerBound))…\(Int64(range.upperBound)) (0 means unlimited where allowed), found \(describe(v))")
        }
        return n
    }

    private static func describe(_ v: JSONValue) -> String {
        if case .number(let n) = v { return n.rounded() == n && abs(n) < 9e18 ? String(Int64(n)) : String(n) }
        return v.typeName
    }

    static func string(_ v: JSONValue?, _ path: String, optional: Bool = false) throws -> String? {
        switch v {
        case .string(let s)? where !s.isEmpty: return s
        case nil where optional: return nil
        case nil: throw DomainError.invalid(.named(path), "is required (a non-empty string)")
        case let other?: throw DomainError.invalid(.named(path), "expected a non-empty string, found \(other.typeName)")
        }
    }
}
