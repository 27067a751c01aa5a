import Foundation

/// .NET composite formatting (`String.Format` with the invariant culture), which ARM's
/// `format()` is: `{index[,alignment][:formatString]}` items, `{{` and `}}` for braces.
/// Numbers take the standard formats D, N, F and X (with a precision, `{0:N2}`) and the
/// zero-padding custom format (`{0:000}`); strings and booleans ignore a format string, as
/// in .NET. Other format strings are refused, naming them, rather than guessed.
enum NETFormat {
    static func format(_ pattern: String, _ args: [JSONValue], function: String) throws -> String {
        func fail(_ m: String) -> ARMFunctions.Failure { ARMFunctions.Failure(message: "\(function)(): \(m)") }
        let c = Array(pattern)
        var out = "", i = 0
        while i < c.count {
            switch c[i] {
            case "{" where i + 1 < c.count && c[i + 1] == "{":
                out.append("{"); i += 2
            case "}" where i + 1 < c.count && c[i + 1] == "}":
                out.append("}"); i += 2
            case "}":
                throw fail("the format string has a '}' at character \(i + 1) that closes nothing; write }} for a brace")
            case "{":
                let open = i
                i += 1
                var digits = ""
                while i < c.count, c[i].isASCII, c[i].isNumber { digits.append(c[i]); i += 1 }
                while i < c.count, c[i] == " " { i += 1 }
                guard let index = Int(digits) else {
                    throw fail("the format item at character \(open + 1) needs an argument index, as in {0}; write {{ for a brace")
                }
                var alignment = 0
                if i < c.count, c[i] == "," {
                    i += 1
                    var a = ""
                    while i < c.count, c[i] == " " { i += 1 }
                    while i < c.count, c[i] == "-" || (c[i].isASCII && c[i].isNumber) { a.append(c[i]); i += 1 }
                    while i < c.count, c[i] == " " { i += 1 }
                    guard let n = Int(a), abs(n) <= 1_000 else { throw fail("the format item at character \(open + 1) has a bad alignment '\(a)'") }
                    alignment = n
                }
                var spec = ""
                if i < c.count, c[i] == ":" {
                    i += 1
                    while i < c.count, c[i] != "}" { spec.append(c[i]); i += 1 }
                }
                guard i < c.count, c[i] == "}" else { throw fail("the format item at character \(open + 1) is not closed with }") }
                i += 1
                guard index < args.count else {
                    throw fail("the format item {\(index)} names argument \(index), but only \(args.count) follow the format string")
                }
                var text = try item(args[index], spec: spec, fail: fail)
                let pad = abs(alignment) - text.count
                if pad > 0 {
                    text = alignment > 0 ? String(repeating: " ", count: pad) + text : text + String(repeating: " ", count: pad)
                }
                out += text
            default:
                out.append(c[i]); i += 1
            }
        }
        return out
    }

    private static func item(_ v: JSONValue, spec: String, fail: (String) -> ARMFunctions.Failure) throws -> String {
        guard !spec.isEmpty, case .number(let n) = v else { return ARMFunctions.text(v) ?? v.text }
        if spec.allSatisfy({ $0 == "0" }) {
            return try number(n, "D", spec.count, fail: fail)
        }
        let letter = String(spec.prefix(1))
        let rest = spec.dropFirst()
        var precision: Int?
        if !rest.isEmpty {
            guard let p = Int(rest), (0...99).contains(p) else {
                throw fail("the format string '\(spec)' is not supported; supported: D, N, F, X with an optional precision (N2), or zeros (000)")
            }
            precision = p
        }
        return try number(n, letter, precision, fail: fail)
    }

    private static func number(_ n: Double, _ letter: String, _ precision: Int?, fail: (String) -> ARMFunctions.Failure) throws -> String {
        let integral = n.rounded() == n && abs(n) < 9.3e18
        switch letter {
        case "D", "d":
            guard integral else { throw fail("the format D applies to integers, not \(n)") }
            let v = Int64(n), digits = String(v.magnitude)
            let padded = String(repeating: "0", count: max(0, (precision ?? 0) - digits.count)) + digits
            return (v < 0 ? "-" : "") + padded
        case "X", "x":
            guard integral else { throw fail("the format X applies to integers, not \(n)") }
            var hex = String(UInt64(bitPattern: Int64(n)), radix: 16, uppercase: letter == "X")
            hex = String(repeating: "0", count: max(0, (precision ?? 0) - hex.count)) + hex
            return hex
        case "F", "f", "N", "n":
            let fixed = String(format: "%.\(precision ?? 2)f", n)
            guard letter.lowercased() == "n" else { return fixed }
            let negative = fixed.hasPrefix("-")
            let body = negative ? String(fixed.dropFirst()) : fixed
            let parts = body.split(separator: ".", omittingEmptySubsequences: false)
            var whole = ""
            for (k, ch) in parts[0].reversed().enumerated() {
                if k > 0 && k % 3 == 0 { whole.append(",") }
                whole.append(ch)
            }
            let grouped = String(whole.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
            return (negative ? "-" : "") + grouped
        default:
            throw fail("the format string '\(letter)\(precision.map(String.init) ?? "")' is not supported; supported: D, N, F, X with an optional precision (N2), or zeros (000)")
        }
    }
}
