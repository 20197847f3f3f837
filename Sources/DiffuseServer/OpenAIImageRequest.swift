import DiffusePipeline
import Hummingbird

/// The body of OpenAI's `POST /v1/images/generations`: `prompt` (required), `n` (1), `size` "WxH" (default:
/// the model's own size), `response_format` (only `b64_json`: this server keeps no images to link to);
/// `model`, `quality`, `style` and `user` are accepted and ignored. Extensions in A1111's names:
/// `negative_prompt`, `seed`, `steps`, `cfg_scale`, `sampler_name`.
struct OpenAIImageRequest: Decodable, Sendable {
    var prompt: String
    var n: Int?
    var size: String?
    var response_format: String?
    var negative_prompt: String?
    var seed: Int64?
    var steps: Int?
    var cfg_scale: Double?
    var sampler_name: String?

    /// The same request in A1111's terms (so it shares its checks and limits), sized by `size` or `defaultSize`.
    func a1111(defaultSize: (width: Int, height: Int)) throws -> (request: A1111Request, raw: [String: JSONValue]) {
        switch response_format {
        case nil, "b64_json": break
        case "url": throw ServerError(.badRequest, "response_format: url is not supported: this server keeps no images to link to; send \"b64_json\"")
        case let other?: throw ServerError(.badRequest, "response_format: unknown value \"\(other)\"; send \"b64_json\"")
        }
        var request = A1111Request()
        request.prompt = prompt
        request.negative_prompt = negative_prompt ?? ""
        request.seed = seed ?? -1
        request.batch_size = n ?? 1
        request.steps = steps ?? request.steps
        request.cfg_scale = cfg_scale ?? request.cfg_scale
        request.sampler_name = sampler_name
        (request.width, request.height) = defaultSize
        if let size {
            let parts = size.lowercased().split(separator: "x")
            guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
                throw ServerError(.badRequest, "size: \"\(size)\" is not WIDTHxHEIGHT, e.g. \"512x512\"")
            }
            (request.width, request.height) = (w, h)
        }
        // No raw A1111 fields: none of the unsupported ones can be set through this API.
        return (request, [:])
    }
}

/// An error in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}` (what OpenAI clients read).
struct OpenAIError: HTTPResponseError {
    let base: ServerError

    var status: HTTPResponse.Status { base.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let param = base.message.split(separator: ":").first.map(String.init) ?? ""
        let body: JSONValue = .object(["error": .object([
            "message": .string(base.message),
            "type": .string(base.status.code == 429 ? "rate_limit_exceeded" : base.status.code >= 500 ? "server_error" : "invalid_request_error"),
            "param": param.contains(" ") ? .null : .string(param),
            "code": .null,
        ])])
        var response = JSONResponse.make(body, status: base.status)
        if let retry = base.retryAfter { response.headers[.retryAfter] = String(retry) }
        return response
    }
}
