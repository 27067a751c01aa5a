import Foundation
import VMIBCore

/// JSON for scripts: sorted keys, ISO 8601 dates, pretty-printed.
enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601.format(date))
        }
        Terminal.out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
