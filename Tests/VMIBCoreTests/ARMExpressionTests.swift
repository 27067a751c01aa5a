import Testing
@testable import VMIBCore

@Suite struct ARMExpressionTests {
    @Test func parsesCallsLiteralsAndAccessesWithTheirPositions() throws {
        let e = try ARMExpression.parse("[concat('it''s', -12)[0].name]")
        #expect(e == .property(.index(.call(name: "concat", arguments: [.string("it's"), .integer(-12)], offset: 2),
                                      .integer(0), offset: 22), name: "name", offset: 26))
        #expect(try ARMExpression.parse("[ toLower( 'A' ) ]") == .call(name: "toLower", arguments: [.string("A")], offset: 3))
        #expect(try ARMExpression.parse("[ns.fn()]") == .call(name: "ns.fn", arguments: [], offset: 2))
    }

    @Test func evaluatesNestingEscapesAndAccesses() throws {
        #expect(try armEvaluate("[concat('it''s', ' ok')]") == .string("it's ok"))
        #expect(try armEvaluate("['']") == .string(""))
        #expect(try armEvaluate("[toUpper(concat(substring('abcdef', 0, 3), string(add(1, 2))))]") == .string("ABC3"))
        #expect(try armEvaluate("[CONCAT('a', 'b')]") == .string("ab"), "function names ignore case")
        #expect(try armEvaluate("[json('{\"a\": {\"b\": [10, 20]}}').a.b[1]]") == .number(20))
        #expect(try armEvaluate("[json('{\"Name\": 1}').name]") == .number(1), "properties ignore case")
        #expect(try armEvaluate("[resourceGroup()['name']]") == .string("rg1"))
        // "[[" escapes a literal that would otherwise be an expression; nothing else is touched.
        #expect(try armEvaluate("[[not an expression]") == .string("[not an expression]"))
        #expect(try armEvaluate("[[ -d /opt ] || mkdir /opt") == .string("[[ -d /opt ] || mkdir /opt"))
        #expect(try armEvaluate("plain [text]") == .string("plain [text]"))
    }

    @Test(arguments: [
        ("[concat('a']", 12, "expected ',' or ')'"),
        ("[concat('a)]", 9, "not closed with '"),
        ("[foo]", 2, "'foo' must be a function call"),
        ("[concat('a') extra]", 14, "unexpected 'e' after a complete expression"),
        ("[add(1.5, 1)]", 6, "only integers are literals"),
        ("[ ]", 3, "the expression is empty"),
        ("[x()[0]", 7, "expected ']' to close the index opened at character 5"),
    ])
    func syntaxErrorsNameThePosition(text: String, offset: Int, message: String) {
        do {
            _ = try armEvaluate(text)
            Issue.record("accepted \(text)")
        } catch let e as DomainError {
            #expect(e.field == Field.named("resources[0].properties.x"))
            #expect(e.message.contains("syntax error at character \(offset) of \"\(text)\"") && e.message.contains(message), "\(e.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func anUnsupportedFunctionIsRefusedNamingItAndWhereItIs() {
        for (text, offset, name) in [("[reference('x').location]", 2, "reference"),
                                     ("[concat('a', reference('x'))]", 14, "reference"),
                                     ("[utcNow()]", 2, "utcNow"),
                                     ("[ns.fn()]", 2, "ns.fn")] {
            do {
                _ = try armEvaluate(text)
                Issue.record("accepted \(text)")
            } catch let e as DomainError {
                #expect(e.field == Field.named("resources[0].properties.x"))
                #expect(e.message.hasPrefix("the function '\(name)' is not supported by vmib; supported: add, and,"), "\(e.message)")
                #expect(e.message.contains("resourceId") && e.message.hasSuffix("(at character \(offset) of \"\(text)\")"), "\(e.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
