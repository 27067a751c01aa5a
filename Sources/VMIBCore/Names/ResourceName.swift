/// Checks of resource names against the patterns Azure Resource Manager uses, so that every
/// name vmib accepts maps one to one onto a resource id.
public enum ResourceName {
    /// Gallery names: Azure's `^[^_\W][\w-._]{0,79}(?<![-.])$` (1–80 characters: letters,
    /// digits, `_`, `-`, `.`; starting with a letter or digit; not ending in `-` or `.`).
    public static func validateGallery(_ name: String, field: Field = .gallery) throws {
        try validate(name, field: field, kind: "gallery name", maxLength: 80,
                     allowedInside: "_-.", firstMustBeAlphanumeric: true, forbiddenLast: "-.")
    }

    /// Image definition names: 1–80 characters of letters, digits, `_`, `-`, `.`,
    /// starting and ending with a letter or digit.
    public static func validateImage(_ name: String, field: Field = .image) throws {
        try validate(name, field: field, kind: "image definition name", maxLength: 80,
                     allowedInside: "_-.", firstMustBeAlphanumeric: true, forbiddenLast: "-._")
    }

    /// Image template names: Azure's `^[A-Za-z0-9-_.]{1,64}$` (the imageTemplateName path
    /// parameter, Microsoft.VirtualMachineImages 2025-10-01), so a trailing `-`, `_` or `.` is
    /// allowed. vmib also asks for a letter or digit first, as it always has: that keeps `.`
    /// and `..` out of resource ids and names that read as options off the command line.
    public static func validateTemplate(_ name: String, field: Field = .template) throws {
        try validate(name, field: field, kind: "image template name", maxLength: 64,
                     allowedInside: "-_.", firstMustBeAlphanumeric: true, forbiddenLast: "")
    }

    /// Trigger names: the triggerName path parameter's `^[A-Za-z0-9-_.]{1,64}$`, with a letter
    /// or digit first as for templates.
    public static func validateTrigger(_ name: String, field: Field = .trigger) throws {
        try validate(name, field: field, kind: "trigger name", maxLength: 64,
                     allowedInside: "-_.", firstMustBeAlphanumeric: true, forbiddenLast: "")
    }

    /// Resource group names: 1–90 characters of letters, digits, `_`, `-`, `.`, `(`, `)`;
    /// not ending in `.`.
    public static func validateResourceGroup(_ name: String, field: Field = .resourceGroup) throws {
        try validate(name, field: field, kind: "resource group name", maxLength: 90,
                     allowedInside: "_-.()", firstMustBeAlphanumeric: false, forbiddenLast: ".")
    }

    /// Subscription ids: letters, digits and `-`, 1–64 characters (a GUID in Azure).
    public static func validateSubscription(_ name: String, field: Field = .subscription) throws {
        try validate(name, field: field, kind: "subscription id", maxLength: 64,
                     allowedInside: "-", firstMustBeAlphanumeric: true, forbiddenLast: "")
    }

    private static func validate(_ name: String, field: Field, kind: String, maxLength: Int,
                                 allowedInside: String, firstMustBeAlphanumeric: Bool,
                                 forbiddenLast: String) throws {
        let rule = "1–\(maxLength) characters: letters, digits and \(allowedInside.map { "'\($0)'" }.joined(separator: " "))"
            + (firstMustBeAlphanumeric ? ", starting with a letter or digit" : "")
            + (forbiddenLast.isEmpty ? "" : ", not ending in \(forbiddenLast.map { "'\($0)'" }.joined(separator: " or "))")
        guard !name.isEmpty, name.count <= maxLength else {
            throw DomainError.invalid(field, "'\(name)' is not a valid \(kind): expected \(rule)")
        }
        for ch in name where !(isAlphanumeric(ch) || allowedInside.contains(ch)) {
            throw DomainError.invalid(field, "'\(name)' is not a valid \(kind): '\(ch)' is not allowed; expected \(rule)")
        }
        if firstMustBeAlphanumeric, let first = name.first, !isAlphanumeric(first) {
            throw DomainError.invalid(field, "'\(name)' is not a valid \(kind): expected \(rule)")
        }
        if let last = name.last, forbiddenLast.contains(last) {
            throw DomainError.invalid(field, "'\(name)' is not a valid \(kind): expected \(rule)")
        }
    }

    private static func isAlphanumeric(_ ch: Character) -> Bool {
        ch.isASCII && (ch.isLetter || ch.isNumber)
    }
}
