import Hummingbird

extension DiffuseServer {
    /// `GET /health` (200 with the model's name: the model is loaded before the server listens) and
    /// `GET /metrics` (Prometheus text).
    func addOperationsRoutes(to router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in
            JSONResponse.make(JSONValue.object(["status": "ok", "model": .string(self.store.current.name)]))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.text)))
        }
    }

    /// Reads the body (≤ the body limit, else 413), turns it into a plan with `prepare`, and runs the plan
    /// through the queue, all inside Hummingbird's inbound-close handler, so that a client that goes away
    /// drops its queued job or stops its running one at the next step. The handler needs the body as the
    /// server received it: no middleware may collect it first.
    func generate(_ request: Request,
                  prepare: @escaping @Sendable (ByteBuffer) async throws -> GenerationPlan) async throws -> (GenerationPlan, GenerationOutput) {
        let job = await queue.makeJob()
        let queue = self.queue
        let limit = options.limits.maxBodyBytes
        return try await request.body.consumeWithInboundCloseHandler({ body in
            let buffer: ByteBuffer
            do { buffer = try await body.collect(upTo: limit) } catch {
                throw ServerError(.contentTooLarge, "the body is larger than \(limit / 1_048_576) MB")
            }
            let plan = try await prepare(buffer)
            // The cheap checks of the loaded pipeline (size multiple, memory) before queueing.
            // Names answered at once, not after the queue.
            if let model = plan.model { _ = try self.store.model(named: model) }
            _ = try self.store.loraPaths(plan.loras)
            if plan.model == nil {
                let pipeline = self.store.current.pipeline
                _ = try GenerationRunner.checked { try pipeline.validate(plan.config) }
            }
            job.setWork { [runner] job in try runner.run(plan, job: job) }
            return (plan, try await queue.submit(job))
        }, onInboundClosed: {
            Task { await queue.drop(job) }
        })
    }
}
