import Foundation
import VMIBWire

/// JSON for scripts: sorted keys, ISO 8601 dates, pretty-printed.
enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        Terminal.out(String(decoding: try WireJSON.encoder(pretty: true).encode(value), as: UTF8.self))
    }
}
