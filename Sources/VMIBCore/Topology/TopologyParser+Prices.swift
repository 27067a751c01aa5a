extension TopologyParser {
    /// `"prices": {"currency": "USD", "storagePerGiBMonth": {TYPE: {REGION|"default": N}},
    /// "transferPerGiB": {"FROM->TO"|"inRegion"|"default": N}, "buildPerMinute": N}`, every
    /// price a number ≥ 0. A refusal names the field (`prices.transferPerGiB.origin->eastus`).
    static func prices(_ value: JSONValue, catalog: RegionCatalog, path: String) throws -> PriceSheet {
        let allowed = "currency, storagePerGiBMonth, transferPerGiB, buildPerMinute"
        guard case .object(let members) = value else { throw DomainError.invalid(.named(path), "expected an object with \(allowed)") }
        var sheet = PriceSheet()
        for (key, v) in members {
            let p = "\(path).\(key)"
            switch key {
            case "currency":
                sheet.currency = try string(v, p)!
            case "buildPerMinute":
                sheet.buildPerMinute = try price(v, p)
            case "storagePerGiBMonth":
                guard case .object(let types) = v else {
                    throw DomainError.invalid(.named(p), "expected an object mapping storage account types to {REGION or \"default\": price}")
                }
                for (type, byRegion) in types {
                    let tp = "\(p).\(type)"
                    _ = try StorageAccountType(parsing: type, field: .named(tp))
                    guard case .object(let regions) = byRegion else {
                        throw DomainError.invalid(.named(tp), "expected an object mapping regions (or \"default\") to a price per GiB-month")
                    }
                    var prices: [String: Double] = [:]
                    for (region, n) in regions {
                        let name = region == PriceSheet.fallback ? region : try catalog.region(named: region, field: .named("\(tp).\(region)")).name
                        prices[name] = try price(n, "\(tp).\(region)")
                    }
                    sheet.storagePerGiBMonth[type] = prices
                }
            case "transferPerGiB":
                guard case .object(let links) = v else {
                    throw DomainError.invalid(.named(p), "expected an object mapping \"FROM->TO\", \"inRegion\" or \"default\" to a price per GiB")
                }
                for (link, n) in links {
                    let lp = "\(p).\(link)"
                    var name = link
                    if link != PriceSheet.fallback && link != PriceSheet.inRegion {
                        let ends = link.components(separatedBy: "->")
                        guard ends.count == 2 else {
                            throw DomainError.invalid(.named(lp), "expected \"FROM->TO\" (FROM a region or \"origin\"), \"inRegion\" or \"default\"")
                        }
                        let from = ends[0] == UsageLink.origin ? ends[0] : try catalog.region(named: ends[0], field: .named(lp)).name
                        name = "\(from)->\(try catalog.region(named: ends[1], field: .named(lp)).name)"
                    }
                    sheet.transferPerGiB[name] = try price(n, lp)
                }
            default:
                throw DomainError.invalid(.named(p), "unknown setting; allowed: \(allowed)")
            }
        }
        return sheet
    }

    /// A finite number ≥ 0.
    private static func price(_ v: JSONValue, _ path: String) throws -> Double {
        guard case .number(let n) = v else {
            throw DomainError.invalid(.named(path), "expected a price (a number ≥ 0), found \(v.typeName)")
        }
        guard n.isFinite, n >= 0 else {
            throw DomainError.invalid(.named(path), "expected a price (a number ≥ 0), found \(n)")
        }
        return n
    }
}
