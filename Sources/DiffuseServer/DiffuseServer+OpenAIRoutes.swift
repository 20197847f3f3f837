#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

extension DiffuseServer {
    /// OpenAI's `POST /v1/images/generations`, on the same queue and limits as A1111's txt2img; answers
    /// `{"created", "data": [{"b64_json"}]}`, errors in OpenAI's shape.
    func addOpenAIRoutes(to router: Router<BasicRequestContext>) {
        router.post("v1/images/generations") { request, _ in
            do {
                let limits = self.options.limits
                let defaultSize = self.store.current.pipeline.defaultSize
                let (_, output) = try await self.generate(request) { buffer in
                    let (body, _) = try JSONResponse.decode(OpenAIImageRequest.self, from: buffer)
                    let (a1111, raw) = try body.a1111(defaultSize: defaultSize)
                    do {
                        return try a1111.plan(raw: raw, imageToImage: false, limits: limits)
                    } catch let error as ServerError {
                        throw Self.openAINames(error)
                    }
                }
                let data = output.images.map { JSONValue.object(["b64_json": .string(Base64.encode($0)), "revised_prompt": .null]) }
                return JSONResponse.make(JSONValue.object(["created": .number(Date().timeIntervalSince1970.rounded(.down)),
                                                           "data": .array(data)]))
            } catch let error as ServerError {
                throw OpenAIError(base: error)
            }
        }
    }

    /// A1111 field names in messages → OpenAI's (`batch_size` → `n`, `width` / `height` → `size`).
    static func openAINames(_ error: ServerError) -> ServerError {
        var message = error.message
        for (a1111, openAI) in [("batch_size:", "n:"), ("width:", "size:"), ("height:", "size:")] where message.hasPrefix(a1111) {
            message = openAI + message.dropFirst(a1111.count)
        }
        return ServerError(error.status, message, retryAfter: error.retryAfter)
    }
}
