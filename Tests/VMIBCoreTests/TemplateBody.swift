import Testing
@testable import VMIBCore

/// An imageTemplate body for parser tests: a PlatformImage source and one VHD distributor
/// unless a test gives its own, and `extra` members of `properties` (JSON text).
enum TemplateBody {
    static let platformSource = #"{"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s"}"#
    static let vhd = #"[{"type": "VHD", "runOutputName": "v"}]"#
    static let galleryImage = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/galleries/G/images/I"
    static let managedImage = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/images/m1"

    /// Two build regions and four known regions, no build host (sizes and networks
    /// unchecked); eastus is the home region (a Shallow version's source region).
    static let context = TemplateParser.Context(buildRegions: ["eastus", "westus2"],
                                                knownRegions: ["eastus", "westus2", "westeurope", "northeurope"],
                                                sourceRegion: "eastus")

    static func text(source: String = platformSource, customize: String? = nil, distribute: String = vhd,
                     extra: String = "", top: String = #""location": "eastus","#) -> String {
        var props = [#""source": \#(source)"#, #""distribute": \#(distribute)"#]
        if let customize { props.append(#""customize": \#(customize)"#) }
        if !extra.isEmpty { props.append(extra) }
        return "{\(top) \"properties\": {\(props.joined(separator: ", "))}}"
    }

    static func parse(source: String = platformSource, customize: String? = nil, distribute: String = vhd,
                      extra: String = "", top: String = #""location": "eastus","#) throws -> TemplateParser.Result {
        try parse(text(source: source, customize: customize, distribute: distribute, extra: extra, top: top))
    }

    static func parse(_ text: String) throws -> TemplateParser.Result {
        try TemplateParser.parse(try JSONParser.parse(text), name: "t", resourceGroup: "rg1", context: context)
    }

    /// The parser's refusal of `text`; records an issue when it was accepted or failed otherwise.
    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)", sourceLocation: sourceLocation)
        } catch let e as DomainError {
            return e
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Expects `text` to be refused on `field` with a message that starts with Azure's
    /// provisioningErrorCode `code` and contains `says`.
    static func expectRefusal(_ text: String, field: String, code: ProvisioningErrorCode, says: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = refusal(text, sourceLocation: sourceLocation) else { return }
        #expect(e.code == .invalidArgument, sourceLocation: sourceLocation)
        #expect(e.field == .named(field), "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.hasPrefix("\(code.rawValue): "), "\(e)", sourceLocation: sourceLocation)
        #expect(e.message.contains(says), "\(e)", sourceLocation: sourceLocation)
    }
}
