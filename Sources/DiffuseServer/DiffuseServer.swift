import Hummingbird
import Logging
import ServiceLifecycle

/// `diffuse serve`: the A1111 web API (`/sdapi/v1/…`), OpenAI's images API (`/v1/images/generations`),
/// `/health` and `/metrics`, on Hummingbird, with one generation at a time behind a bounded queue
/// (`GenerationQueue`). Routes: `DiffuseServer+A1111Routes.swift`, `+OpenAIRoutes.swift`, `+OperationsRoutes.swift`.
public final class DiffuseServer: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        /// 0: an ephemeral port (tests).
        public var port = 7860
        /// Jobs that may wait behind the running one (`--max-queue`); more answer 429.
        public var maxQueue = 8
        /// `--api-key`: Bearer token every route but /health needs.
        public var apiKey: String? = nil
        public var limits = ServerLimits()
        /// Seconds a connection may stay silent while its request is read or between requests.
        public var idleTimeoutSeconds = 60
        public init() {}
    }

    public let options: Options
    let store: ModelStore
    let queue: GenerationQueue
    let progress = ProgressBoard()
    let metrics = ServerMetrics()
    let runner: GenerationRunner

    public init(options: Options, store: ModelStore) {
        self.options = options
        self.store = store
        queue = GenerationQueue(capacity: options.maxQueue, progress: progress, metrics: metrics)
        runner = GenerationRunner(store: store, progress: progress, metrics: metrics)
    }

    /// The router with every route and the middleware (request logs and 5xx counting, `Connection: close` on generations, API key).
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: ClosesConnectionMiddleware())
        if let key = options.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        addOperationsRoutes(to: router)
        addA1111Routes(to: router)
        addOpenAIRoutes(to: router)
        return router
    }

    /// The application (the model is already loaded, so `/health` answers 200 as soon as it listens).
    /// A connection that sends nothing for `idleTimeout` while its request is still being read (or
    /// between requests) is closed, so slow or stalled clients cannot hold connections open; a request being
    /// answered (a generation, however long) is not timed out.
    public func makeApplication(logger: Logger) -> some ApplicationProtocol {
        Application(router: makeRouter(),
                    server: .http1(configuration: .init(idleTimeout: .seconds(Int64(options.idleTimeoutSeconds)))),
                    configuration: .init(address: .hostname(options.host, port: options.port), serverName: "diffuse"),
                    logger: logger)
    }

    /// Runs until SIGTERM / SIGINT: then the queue drains first (waiting jobs answered 503, the running one
    /// finishes), then the HTTP server stops (ServiceGroup stops services in reverse order).
    public func run(logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [makeApplication(logger: logger), QueueDrainService(queue: queue)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Drains the queue on graceful shutdown (see `DiffuseServer.run`).
struct QueueDrainService: Service {
    let queue: GenerationQueue

    func run() async throws {
        try? await gracefulShutdown()
        await queue.drain()
        while !(await queue.isIdle) { try? await Task.sleep(for: .milliseconds(100)) }
    }
}

/// The generation routes read their body inside Hummingbird's inbound-close handler (to see a client go
/// away), after which Hummingbird closes the connection; `Connection: close` tells the client so, and it
/// opens a new connection for its next request instead of writing to a closing one.
struct ClosesConnectionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var paths: Set<String> { ["/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/v1/images/generations"] }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, Self.paths.contains(request.uri.path) else { return try await next(request, context) }
        var response: Response
        do { response = try await next(request, context) } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.connection] = "close"
        return response
    }
}
