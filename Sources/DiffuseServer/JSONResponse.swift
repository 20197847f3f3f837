#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// JSON responses and request bodies.
enum JSONResponse {
    /// `value` as an `application/json` response.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A request body decoded as `T`; malformed JSON or not an object → 400, a field of the wrong type → 422
    /// naming it. Also returns the raw object.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> (value: T, raw: [String: JSONValue]) {
        let data = Data(buffer.readableBytesView)
        let raw: JSONValue
        do { raw = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ServerError(.badRequest, "the body is not valid JSON; send a JSON object (Content-Type: application/json)")
        }
        guard case .object(let object) = raw else {
            throw ServerError(.badRequest, "the body must be a JSON object, got \(raw.jsonText.prefix(40))")
        }
        do {
            return (try JSONDecoder().decode(T.self, from: data), object)
        } catch let DecodingError.typeMismatch(expected, context) {
            throw ServerError.field(fieldName(context.codingPath), "expected \(typeName(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw ServerError.field(fieldName(context.codingPath), "expected \(typeName(expected)), got null")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ServerError.field(fieldName(context.codingPath + [key]), "is required")
        } catch let DecodingError.dataCorrupted(context) {
            throw ServerError.field(fieldName(context.codingPath), context.debugDescription)
        }
    }

    static func fieldName(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "body" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}
