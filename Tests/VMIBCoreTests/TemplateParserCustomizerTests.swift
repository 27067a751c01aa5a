import Testing
@testable import VMIBCore

private let customizerTypes = "allowed: Shell, File, PowerShell, WindowsRestart, WindowsUpdate"

/// `properties.customize`: Shell and File customizers as they run, Windows ones as they
/// validate, and every refusal naming the customizer's index and field.
@Suite struct TemplateParserCustomizerTests {
    static func customize(_ json: String) throws -> TemplateParser.Result {
        try TemplateBody.parse(customize: json)
    }

    @Test func readsShellAndFileCustomizersInOrder() throws {
        let sum = String(repeating: "AB", count: 32)
        let t = try Self.customize(#"""
            [{"type": "Shell", "name": "setup", "inline": ["apt-get update", "apt-get -y install nginx"]},
             {"type": "shell", "scriptUri": "https://example.com/s.sh", "sha256Checksum": "\#(sum)"},
             {"type": "File", "name": "motd", "sourceUri": "file:///srv/motd", "destination": "/etc/motd", "sha256Checksum": ""}]
            """#).template
        #expect(t.customize == [
            .shell(name: "setup", script: .inline(["apt-get update", "apt-get -y install nginx"]), sha256Checksum: nil),
            .shell(name: "Shell customizer #2", script: .uri("https://example.com/s.sh"), sha256Checksum: sum.lowercased()),
            .file(name: "motd", sourceUri: "file:///srv/motd", sha256Checksum: nil, destination: "/etc/motd"),
        ])
        #expect(t.customize.map(\.typeName) == ["Shell", "Shell", "File"], "a type in any case is written as Azure writes it")
    }

    @Test func anAbsentOrNullCustomizeIsNoCustomizers() throws {
        #expect(try TemplateBody.parse().template.customize.isEmpty)
        #expect(try Self.customize("null").template.customize.isEmpty)
        #expect(try Self.customize("[]").template.customize.isEmpty)
    }

    @Test func aScriptUriWithANullInlineIsTheUri() throws {
        #expect(try Self.customize(#"[{"type": "Shell", "name": "s", "scriptUri": "http://example.com/s.sh", "inline": null}]"#).template.customize
                == [.shell(name: "s", script: .uri("http://example.com/s.sh"), sha256Checksum: nil)])
    }

    @Test func unknownMembersOfACustomizerAreWarnedAbout() throws {
        let r = try Self.customize(#"[{"type": "Shell", "inline": ["true"], "runAs": "root"}, {"type": "File", "sourceUri": "https://e.com/f", "destination": "/f", "mode": "0644"}]"#)
        #expect(r.warnings == ["properties.customize[0].runAs is not a known property; it is ignored",
                               "properties.customize[1].mode is not a known property; it is ignored"])
    }

    @Test(arguments: [
        (#"{"type": "Shell"}"#, "properties.customize", ProvisioningErrorCode.BadCustomizerType, "must be an array of customizers"),
        (#"["Shell"]"#, "properties.customize[0]", .BadCustomizerType, "must be an object with a type; \(customizerTypes)"),
        (#"[{"inline": ["true"]}]"#, "properties.customize[0].type", .BadCustomizerType, "is required; \(customizerTypes)"),
        (#"[{"type": "Shell", "inline": ["true"]}, {"type": "Chef"}]"#, "properties.customize[1].type", .BadCustomizerType,
         "'Chef' is not a customizer type; \(customizerTypes)"),
        (#"[{"type": "Shell", "name": 5, "inline": ["true"]}]"#, "properties.customize[0].name", .BadCustomizerType, "must be a string, got a number"),
        (#"[{"type": "Shell", "inline": []}]"#, "properties.customize[0].inline", .NoCustomizerScript, "must be a non-empty array of strings (shell commands)"),
        (#"[{"type": "Shell", "inline": ["true", 1]}]"#, "properties.customize[0].inline", .NoCustomizerScript, "must be a non-empty array of strings"),
        (#"[{"type": "Shell", "inline": "true"}]"#, "properties.customize[0].inline", .NoCustomizerScript, "must be a non-empty array of strings"),
        (#"[{"type": "Shell", "scriptUri": "ftp://example.com/s.sh"}]"#, "properties.customize[0].scriptUri", .NoCustomizerScript,
         "'ftp://example.com/s.sh' is not a fetchable URI: allowed schemes http, https, file"),
        (#"[{"type": "Shell", "scriptUri": "https://"}]"#, "properties.customize[0].scriptUri", .NoCustomizerScript, "is not a fetchable URI"),
        (#"[{"type": "Shell", "scriptUri": "file://relative/s.sh"}]"#, "properties.customize[0].scriptUri", .NoCustomizerScript, "is not a fetchable URI"),
        (#"[{"type": "Shell", "inline": ["true"], "sha256Checksum": "\#(String(repeating: "g", count: 64))"}]"#,
         "properties.customize[0].sha256Checksum", .BadCustomizerType, "must be 64 hexadecimal digits (a SHA-256), or empty"),
        (#"[{"type": "File", "destination": "/etc/motd"}]"#, "properties.customize[0].sourceUri", .BadCustomizerType, "is required"),
        (#"[{"type": "File", "sourceUri": "s3://bucket/key", "destination": "/etc/motd"}]"#, "properties.customize[0].sourceUri", .BadCustomizerType,
         "'s3://bucket/key' is not a fetchable URI: allowed schemes http, https, file"),
        (#"[{"type": "File", "sourceUri": "https://e.com/f"}]"#, "properties.customize[0].destination", .BadCustomizerType, "is required"),
        (#"[{"type": "File", "sourceUri": "https://e.com/f", "destination": "/"}]"#, "properties.customize[0].destination", .BadCustomizerType,
         "'/' is outside the image or not a file path; expected an absolute path of a file inside the image"),
        (#"[{"type": "File", "sourceUri": "https://e.com/f", "destination": "/etc/"}]"#, "properties.customize[0].destination", .BadCustomizerType,
         "'/etc/' is outside the image or not a file path"),
        (#"[{"type": "File", "sourceUri": "https://e.com/f", "destination": "/etc/a\u0000b"}]"#, "properties.customize[0].destination", .BadCustomizerType,
         "contains a NUL character"),
        (#"[{"type": "PowerShell", "inline": ["x"], "validExitCodes": [0, 1.5]}]"#, "properties.customize[0].validExitCodes", .BadCustomizerType,
         "must be an array of integers"),
        (#"[{"type": "PowerShell", "inline": ["x"], "runElevated": "yes"}]"#, "properties.customize[0].runElevated", .BadCustomizerType, "must be a boolean"),
        (#"[{"type": "PowerShell", "inline": ["x"], "scriptUri": "https://e.com/s.ps1"}]"#, "properties.customize[0]", .NoCustomizerScript,
         "exactly one of scriptUri or inline is allowed; both are given"),
        (#"[{"type": "WindowsRestart", "restartTimeout": 5}]"#, "properties.customize[0].restartTimeout", .BadCustomizerType, "must be a string, got a number"),
        (#"[{"type": "WindowsUpdate", "filters": [1]}]"#, "properties.customize[0].filters", .BadCustomizerType, "must be an array of strings"),
        (#"[{"type": "WindowsUpdate", "updateLimit": -1}]"#, "properties.customize[0].updateLimit", .BadCustomizerType, "must be a non-negative integer"),
    ])
    func badCustomizersAreRefusedNamingTheirIndexAndField(customize: String, field: String, code: ProvisioningErrorCode, says: String) {
        TemplateBody.expectRefusal(TemplateBody.text(customize: customize), field: field, code: code, says: says)
    }
}
