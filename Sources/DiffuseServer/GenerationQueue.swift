import DiffuseCore
import Dispatch

/// One job at a time, in arrival order, behind a bounded FIFO: `submit` answers 429 (with Retry-After)
/// when `capacity` jobs already wait, so the server never holds more than `capacity` + 1 jobs. Jobs run
/// on one dedicated thread (a serial dispatch queue), not on Swift's cooperative pool, so a generation
/// that saturates the CPU never starves the HTTP side. A job whose client went away is dropped while
/// queued (`drop`) and stopped at its next step while running (its `cancel` flag, read by the step callback).
public actor GenerationQueue {
    public let capacity: Int
    private var waiting: [(job: GenerationJob, continuation: CheckedContinuation<GenerationOutput, any Error>)] = []
    private(set) var running: GenerationJob?
    private var draining = false
    private var nextID = 1
    private let thread = DispatchQueue(label: "diffuse.generation")
    private let progress: ProgressBoard
    private let metrics: ServerMetrics
    /// Seconds per finished job, for Retry-After.
    private var lastJobSeconds = 10.0

    init(capacity: Int, progress: ProgressBoard, metrics: ServerMetrics) {
        self.capacity = capacity
        self.progress = progress
        self.metrics = metrics
    }

    /// A new job (not yet queued; `setWork` before `submit`).
    func makeJob() -> GenerationJob {
        defer { nextID += 1 }
        return GenerationJob(id: nextID)
    }

    /// A1111's interrupt / skip: the running job, if any.
    func runningJob() -> GenerationJob? { running }

    /// Queues `job` and waits for its output. 429 when the queue is full, 503 while draining.
    func submit(_ job: GenerationJob) async throws -> GenerationOutput {
        guard !draining else { throw Self.shuttingDown }
        guard !job.isCancelled else { throw GenerationRunner.cancelled }
        // An idle server always takes the job (it runs at once); otherwise up to `capacity` wait.
        guard waiting.count < capacity || (running == nil && waiting.isEmpty) else {
            metrics.rejected.increment()
            let retry = max(1, Int((lastJobSeconds * Double(waiting.count + 1)).rounded(.up)))
            throw ServerError(.tooManyRequests, "the queue is full (\(capacity) jobs waiting); retry later", retryAfter: retry)
        }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append((job, continuation))
            published()
            startNext()
        }
    }

    /// Drops `job` if it is still waiting (its client went away); a running job stops at its next step.
    func drop(_ job: GenerationJob) {
        job.cancel()
        guard let index = waiting.firstIndex(where: { $0.job === job }) else { return }
        let entry = waiting.remove(at: index)
        entry.continuation.resume(throwing: ServerError(.requestTimeout, "the client closed the connection"))
        published()
    }

    /// SIGTERM: no new jobs; waiting ones are answered 503; the running one finishes.
    func drain() {
        draining = true
        for entry in waiting { entry.continuation.resume(throwing: Self.shuttingDown) }
        waiting.removeAll()
        published()
    }

    /// Whether a job runs or waits.
    var isIdle: Bool { running == nil && waiting.isEmpty }

    private static let shuttingDown = ServerError(.serviceUnavailable, "the server is shutting down; retry on another replica", retryAfter: 5)

    private func startNext() {
        guard running == nil, !waiting.isEmpty else { return }
        let (job, continuation) = waiting.removeFirst()
        running = job
        published()
        let started = ContinuousClock.now
        thread.async { [progress] in
            let result = Result { try job.run() }
            progress.end()
            Task { await self.finished(job, result, continuation, started: started) }
        }
    }

    private func finished(_ job: GenerationJob, _ result: Result<GenerationOutput, any Error>,
                          _ continuation: CheckedContinuation<GenerationOutput, any Error>, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        lastJobSeconds = elapsed.seconds
        running = nil
        continuation.resume(with: result)
        startNext()
        published()
    }

    private func published() {
        progress.setQueued(waiting.count)
        metrics.queueLength.set(Double(waiting.count))
    }
}
