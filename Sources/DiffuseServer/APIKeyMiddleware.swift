#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// `--api-key`: every route but `/health` needs `Authorization: Bearer KEY` (401 otherwise). HTTP Basic
/// with KEY as the password is accepted too, because A1111 clients (webuiapi's `set_auth`, A1111's own
/// `--api-auth`) send Basic credentials.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" || authorized(request.headers[.authorization]) {
            return try await next(request, context)
        }
        throw ServerError(.unauthorized, "this server needs an API key: send the header Authorization: Bearer <key>")
    }

    private func authorized(_ header: String?) -> Bool {
        guard let header else { return false }
        if header.hasPrefix("Bearer ") { return Self.same(String(header.dropFirst(7)), key) }
        if header.hasPrefix("Basic "), let bytes = Base64.decode(String(header.dropFirst(6))) {
            let text = String(decoding: bytes, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return false }
            return Self.same(String(text[text.index(after: colon)...]), key)
        }
        return false
    }

    /// Compares in time that does not depend on where the strings first differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var diff = x.count ^ y.count
        for i in 0..<max(x.count, y.count) { diff |= Int((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)) }
        return diff == 0
    }
}
