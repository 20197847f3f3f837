import Hummingbird

extension DiffuseServer {
    /// A1111's routes (modules/api/api.py): txt2img, img2img, progress, interrupt, skip, samplers,
    /// schedulers, sd-models, options, loras, scripts and the empty lists clients ask for.
    func addA1111Routes(to router: Router<BasicRequestContext>) {
        let api = router.group("sdapi/v1")
        api.post("txt2img") { request, _ in try await self.a1111(request, imageToImage: false) }
        api.post("img2img") { request, _ in try await self.a1111(request, imageToImage: true) }
        api.get("progress") { request, _ in
            let skipImage = request.uri.queryParameters.get("skip_current_image") == "true"
            return JSONResponse.make(self.progress.json(includePreview: !skipImage))
        }
        api.post("interrupt") { _, _ in
            await self.queue.runningJob()?.interrupt()
            return JSONResponse.make(JSONValue.object([:]))
        }
        api.post("skip") { _, _ in
            await self.queue.runningJob()?.skip()
            return JSONResponse.make(JSONValue.object([:]))
        }
        api.get("samplers") { _, _ in JSONResponse.make(A1111Sampler.list) }
        api.get("schedulers") { _, _ in JSONResponse.make(A1111Sampler.schedulerList) }
        api.get("sd-models") { _, _ in
            JSONResponse.make(JSONValue.array(self.store.models().map { model in
                .object(["title": .string(model.title), "model_name": .string(model.title), "hash": .null,
                         "sha256": .null, "filename": .string(model.path), "config": .null])
            }))
        }
        api.get("options") { _, _ in JSONResponse.make(self.optionsJSON) }
        api.post("options") { request, _ in try await self.setOptions(request) }
        api.get("loras") { _, _ in
            JSONResponse.make(JSONValue.array(self.store.loras().map { lora in
                .object(["name": .string(lora.name), "alias": .string(lora.name), "path": .string(lora.path),
                         "metadata": .object([:])])
            }))
        }
        api.get("scripts") { _, _ in JSONResponse.make(JSONValue.object(["txt2img": .array([]), "img2img": .array([])])) }
        for empty in ["script-info", "sd-vae", "upscalers", "latent-upscale-modes", "hypernetworks", "face-restorers",
                      "prompt-styles", "embeddings", "extensions"] {
            api.get(RouterPath(empty)) { _, _ in
                JSONResponse.make(empty == "embeddings" ? JSONValue.object(["loaded": .object([:]), "skipped": .object([:])]) : .array([]))
            }
        }
        for refresh in ["refresh-checkpoints", "refresh-loras", "refresh-vae"] {
            api.post(RouterPath(refresh)) { _, _ in JSONResponse.make(JSONValue.null) }
        }
    }

    private func a1111(_ request: Request, imageToImage: Bool) async throws -> Response {
        let limits = options.limits
        let box = RequestBox()
        let (plan, output) = try await generate(request) { buffer in
            let (body, raw) = try JSONResponse.decode(A1111Request.self, from: buffer)
            box.set(body, raw)
            return try body.plan(raw: raw, imageToImage: imageToImage, limits: limits)
        }
        let (body, raw) = box.get()
        return JSONResponse.make(A1111Response.make(output, plan: plan, request: body, raw: raw))
    }

    /// The options A1111 clients read: the loaded model and CLIP skip.
    var optionsJSON: JSONValue {
        .object(["sd_model_checkpoint": .string(store.current.name), "CLIP_stop_at_last_layers": 1,
                 "samples_format": "png", "sd_checkpoint_hash": .null])
    }

    /// `POST /options`: `sd_model_checkpoint` switches the model (as a queued job, after the running one).
    private func setOptions(_ request: Request) async throws -> Response {
        let job = await queue.makeJob()
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: options.limits.maxBodyBytes) } catch {
            throw ServerError(.contentTooLarge, "the body is too large")
        }
        let (values, _) = try JSONResponse.decode([String: JSONValue].self, from: buffer)
        var model: String? = nil
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            switch (key, value) {
            case ("sd_model_checkpoint", .string(let name)): model = name
            case ("CLIP_stop_at_last_layers", 1), ("samples_format", "png"): break
            default:
                throw ServerError.field(key, "\(value.jsonText) is not an option this server can set; it sets sd_model_checkpoint")
            }
        }
        if let model {
            _ = try store.model(named: model)   // an unknown name answers at once, not after the queue
            let store = self.store
            job.setWork { _ in
                try store.switchTo(model)
                return GenerationOutput()
            }
            _ = try await queue.submit(job)
        }
        return JSONResponse.make(JSONValue.null)
    }
}

/// Carries the decoded request out of the body-reading closure.
final class RequestBox: @unchecked Sendable {
    private var value: (A1111Request, [String: JSONValue]) = (A1111Request(), [:])
    func set(_ request: A1111Request, _ raw: [String: JSONValue]) { value = (request, raw) }
    func get() -> (A1111Request, [String: JSONValue]) { value }
}
