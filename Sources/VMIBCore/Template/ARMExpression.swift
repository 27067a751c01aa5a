/// One ARM template language expression — the text between the brackets of a JSON string
/// such as `"[concat('a-', parameters('name'))]"` — parsed into a tree.
///
/// The grammar is Azure's: a literal (a string in single quotes, `''` standing for one quote;
/// an integer) or a function call `name(arg, …)`, followed by any number of property
/// accesses (`.name`) and index accesses (`[0]`, `['key']`). There are no bare `true`,
/// `false` or `null`: templates write `true()`, `false()`, `null()`. Every node keeps its
/// character offset so that an error can point at it.
public indirect enum ARMExpression: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    /// `name(arguments…)`; `offset` is where the name starts.
    case call(name: String, arguments: [ARMExpression], offset: Int)
    /// `base.name`; `offset` is where the name starts.
    case property(ARMExpression, name: String, offset: Int)
    /// `base[index]`; `offset` is where the `[` is.
    case index(ARMExpression, ARMExpression, offset: Int)

    /// A malformed expression: what was expected, and where (a 1-based character position
    /// in the JSON string, its opening `[` being character 1).
    public struct SyntaxError: Error, Sendable, Equatable {
        public var offset: Int
        public var message: String
    }

    /// Whether a JSON string is an expression: it starts with `[` and ends with `]`, and does
    /// not start with `[[` (Azure's escape for a literal that starts with `[`).
    public static func isExpression(_ s: String) -> Bool {
        s.hasPrefix("[") && s.hasSuffix("]") && !s.hasPrefix("[[") && s.count >= 2
    }

    /// The literal a non-expression string stands for: `[[x]` is `[x]` (the escape exists only
    /// for strings that would otherwise be expressions); anything else is itself.
    public static func literal(_ s: String) -> String {
        s.hasPrefix("[[") && s.hasSuffix("]") ? String(s.dropFirst()) : s
    }

    /// Parses a whole JSON string value that `isExpression` accepts, brackets included.
    /// - Throws: `SyntaxError` with the character position.
    public static func parse(_ text: String) throws(SyntaxError) -> ARMExpression {
        var p = Parser(chars: Array(text))
        guard p.chars.first == "[", p.chars.last == "]", p.chars.count >= 2 else {
            throw SyntaxError(offset: 1, message: "an expression is enclosed in [ and ]")
        }
        p.i = 1
        p.end = p.chars.count - 1
        p.skipSpace()
        guard p.i < p.end else { throw SyntaxError(offset: p.i + 1, message: "the expression is empty") }
        let e = try p.expression(depth: 0)
        p.skipSpace()
        guard p.i == p.end else { throw p.error("unexpected '\(p.chars[p.i])' after a complete expression") }
        return e
    }

    private struct Parser {
        let chars: [Character]
        var i = 0
        var end = 0

        func error(_ message: String) -> SyntaxError { SyntaxError(offset: i + 1, message: message) }

        mutating func skipSpace() { while i < end, chars[i].isWhitespace { i += 1 } }

        mutating func expression(depth: Int) throws(SyntaxError) -> ARMExpression {
            guard depth < 64 else { throw error("expressions nest deeper than 64 levels") }
            skipSpace()
            guard i < end else { throw error("expected a value: a 'string', an integer or a function call") }
            var e: ARMExpression
            let c = chars[i]
            if c == "'" {
                e = .string(try string())
            } else if c.isASCII && c.isNumber || c == "-" || c == "+" {
                e = .integer(try integer())
            } else if c.isLetter || c == "_" {
                let start = i
                var name = identifier()
                // `namespace.function(…)`: a user-defined function, named whole so the
                // evaluator can say it is not supported.
                var look = i
                if look < end, chars[look] == "." {
                    look += 1
                    let member = look
                    while look < end, chars[look].isLetter || chars[look].isNumber || chars[look] == "_" { look += 1 }
                    var after = look
                    while after < end, chars[after].isWhitespace { after += 1 }
                    if look > member, after < end, chars[after] == "(" {
                        name += "." + String(chars[member..<look])
                        i = look
                    }
                }
                skipSpace()
                guard i < end, chars[i] == "(" else {
                    throw SyntaxError(offset: start + 1, message: "'\(name)' must be a function call, \(name)(…); literals are 'strings', integers, true(), false() and null()")
                }
                i += 1
                var arguments: [ARMExpression] = []
                skipSpace()
                if i < end, chars[i] == ")" {
                    i += 1
                } else {
                    while true {
                        arguments.append(try expression(depth: depth + 1))
                        skipSpace()
                        guard i < end else { throw error("expected ',' or ')' to close \(name)(") }
                        if chars[i] == "," { i += 1; continue }
                        if chars[i] == ")" { i += 1; break }
                        throw error("expected ',' or ')' in the arguments of \(name)(, found '\(chars[i])'")
                    }
                }
                e = .call(name: name, arguments: arguments, offset: start + 1)
            } else {
                throw error("unexpected '\(c)': expected a 'string', an integer or a function call")
            }
            while true {
                skipSpace()
                guard i < end else { return e }
                if chars[i] == "." {
                    i += 1
                    skipSpace()
                    let start = i
                    guard i < end, chars[i].isLetter || chars[i] == "_" || chars[i] == "$" else {
                        throw error("expected a property name after '.'")
                    }
                    e = .property(e, name: identifier(), offset: start + 1)
                } else if chars[i] == "[" {
                    let start = i
                    i += 1
                    let index = try expression(depth: depth + 1)
                    skipSpace()
                    guard i < end, chars[i] == "]" else { throw error("expected ']' to close the index opened at character \(start + 1)") }
                    i += 1
                    e = .index(e, index, offset: start + 1)
                } else {
                    return e
                }
            }
        }

        /// A function or property name: letters, digits, `_` and `$`. (A name with other
        /// characters, such as `api-version`, is reached with an index: `x['api-version']`.)
        mutating func identifier() -> String {
            let start = i
            while i < end, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "$" { i += 1 }
            return String(chars[start..<i])
        }

        mutating func string() throws(SyntaxError) -> String {
            let start = i
            i += 1
            var out = ""
            while i < end {
                if chars[i] == "'" {
                    if i + 1 < end, chars[i + 1] == "'" { out.append("'"); i += 2; continue }
                    i += 1
                    return out
                }
                out.append(chars[i])
                i += 1
            }
            throw SyntaxError(offset: start + 1, message: "the string that starts here is not closed with '")
        }

        mutating func integer() throws(SyntaxError) -> Int64 {
            let start = i
            if chars[i] == "-" || chars[i] == "+" { i += 1 }
            while i < end, chars[i].isASCII, chars[i].isNumber { i += 1 }
            if i < end, chars[i] == "." {
                throw SyntaxError(offset: start + 1, message: "only integers are literals in an expression; write json('1.5') for a decimal")
            }
            guard let n = Int64(String(chars[start..<i])) else {
                throw SyntaxError(offset: start + 1, message: "'\(String(chars[start..<i]))' is not an integer (64-bit)")
            }
            return n
        }
    }
}
