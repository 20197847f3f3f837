import Hummingbird

/// An HTTP error answered as A1111 / OpenAI clients expect: a JSON body `{"error": kind, "detail": message}`
/// (A1111's FastAPI form; OpenAI clients read `error.message`, so the OpenAI routes wrap it the same way
/// under `error`). The message says what was wrong and what to do.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// Seconds before trying again (429 and 503).
    public var retryAfter: Int? = nil

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(message)" }

    /// A field with a wrong value: 422 naming it.
    static func field(_ name: String, _ message: String) -> ServerError {
        ServerError(.unprocessableContent, "\(name): \(message)")
    }
}

extension ServerError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = .object([
            "error": .string(status.reasonPhrase),
            "detail": .string(message),
            "message": .string(message),
        ])
        var response = JSONResponse.make(body, status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
