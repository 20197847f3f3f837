#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 for images in JSON: A1111 sends raw base64 or a `data:image/png;base64,` URL; both are read.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The bytes of `text` (a data URL's prefix dropped); nil when it is not base64.
    static func decode(_ text: String) -> [UInt8]? {
        var payload = Substring(text)
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") {
            payload = payload[payload.index(after: comma)...]
        }
        let clean = payload.filter { !$0.isWhitespace }
        return Data(base64Encoded: String(clean), options: [.ignoreUnknownCharacters]).map { [UInt8]($0) }
    }
}
