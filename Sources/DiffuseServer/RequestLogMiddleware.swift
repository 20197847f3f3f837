import DiffuseCore
import Hummingbird
import Logging

/// One structured log line per request once it is answered (swift-log metadata: method, path, status,
/// milliseconds, Hummingbird's request id), at `info` (`warning` for 5xx), and `diffuse_errors_total`
/// counting answers of 500 and above.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let ms = elapsed.seconds * 1000
            if status >= 500 { metrics.errors.increment() }
            context.logger.log(level: status >= 500 ? .warning : .info, "request", metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(status), "ms": .string(String(Int(ms.rounded()))),
            ])
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
