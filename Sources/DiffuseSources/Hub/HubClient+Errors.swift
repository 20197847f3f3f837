import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turning hub answers into one-line `ModelSourceError`s (huggingface_hub `utils/_http.py`
/// `hf_raise_for_status`: 401/403 gated or private, 404 with `X-Error-Code` RepoNotFound /
/// RevisionNotFound / EntryNotFound).
extension HubClient {
    /// Throws unless `response` is a 2xx answer (or a redirect, which the caller handles).
    func check(_ response: HubHTTP.Response, url: URL, what: String) throws {
        if let error = response.transportError, response.status == 0 || HubHTTP.Response.isSuccess(response.status) {
            throw ModelSourceError(.badResponse, model: model,
                message: "request for \(what) to \(url.absoluteString) failed: \(error); check the network (or HF_ENDPOINT), or set HF_HUB_OFFLINE=1 to use only the local cache")
        }
        if HubHTTP.Response.isSuccess(response.status) || response.isRedirect { return }
        let code = response.header(Header.errorCode)
        let serverSays = Self.excerpt(response.body).map { ": \"\($0)\"" } ?? ""
        switch response.status {
        case 401, 403:
            let tokenAdvice = token == nil
                ? "set HF_TOKEN to a token with read access (huggingface.co/settings/tokens)"
                : "the token in HF_TOKEN has no access to it: check it, and for a gated model accept its terms on the model page"
            throw ModelSourceError(.unauthorized, model: model,
                message: "\(url.host ?? endpoint) answered \(response.status) for \(what) (a gated or private repository)\(serverSays); \(tokenAdvice)")
        case 404:
            let what: String = switch code {
            case "RepoNotFound": "no repository \(model)"
            case "RevisionNotFound": "no such revision: \(what)"
            case "EntryNotFound": "no file \(what)"
            default: "not found: \(what)"
            }
            throw ModelSourceError(.notOnHub, model: model,
                message: "\(url.host ?? endpoint) answered 404, \(what)\(serverSays); check the id (org/name) and --revision (a private repository also answers 404 without HF_TOKEN)")
        default:
            throw ModelSourceError(.badResponse, model: model,
                message: "\(url.absoluteString) answered HTTP \(response.status) for \(what)\(serverSays); try again later or check HF_ENDPOINT")
        }
    }

    /// A `.badResponse` error: the answer to `url` was not `expected`.
    func garbage(_ url: URL, _ response: HubHTTP.Response, expected: String) -> ModelSourceError {
        let shown = Self.excerpt(response.body).map { " (starts \"\($0)\")" } ?? ""
        return ModelSourceError(.badResponse, model: model,
            message: "\(url.absoluteString) answered something that is not \(expected)\(shown); check HF_ENDPOINT (a proxy or captive portal?) and try again")
    }

    /// The first 80 printable characters of a body, nil if empty.
    static func excerpt(_ body: Data) -> String? {
        guard !body.isEmpty else { return nil }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .map { $0.isNewline || !($0.isASCII && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " ")) ? " " : String($0) }
            .joined()
        let trimmed = String(text.prefix(80)).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
