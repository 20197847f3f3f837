import DiffuseCore

/// One queued piece of work (a generation, or a model switch) and the flags that stop it: `cancel` (its
/// client went away: dropped while queued, stopped at the next step while running), `interrupt` / `skip`
/// (A1111's buttons: the current iteration stops at the next step and returns what it has; interrupt also
/// drops the remaining iterations).
public final class GenerationJob: @unchecked Sendable {
    public let id: Int
    private let lock = Lock()
    /// What the job does; runs on the generation thread. Set before the job is queued.
    private var work: (@Sendable (GenerationJob) throws -> GenerationOutput)?
    private var cancelled = false
    private var interrupted = false
    private var skipped = false

    init(id: Int) { self.id = id }

    func setWork(_ work: @escaping @Sendable (GenerationJob) throws -> GenerationOutput) {
        lock.withLock { self.work = work }
    }

    func run() throws -> GenerationOutput {
        guard let work = lock.withLock({ self.work }) else { return GenerationOutput() }
        return try work(self)
    }

    func cancel() { lock.withLock { cancelled = true } }
    func interrupt() { lock.withLock { interrupted = true } }
    func skip() { lock.withLock { skipped = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
    var isInterrupted: Bool { lock.withLock { interrupted } }

    /// Whether the current iteration should stop now (any flag); clears `skip`, which stops one iteration only.
    func shouldStopIteration() -> Bool {
        lock.withLock {
            let stop = cancelled || interrupted || skipped
            skipped = false
            return stop
        }
    }
}

/// What a job returns: PNG images with their A1111 infotexts and seeds.
public struct GenerationOutput: Sendable {
    var images: [[UInt8]] = []
    var infotexts: [String] = []
    var seeds: [UInt64] = []
    var width = 0
    var height = 0
    var sampler = ""
    var model = ""
    /// A1111's short hash of the model's weights (`ModelHash`), nil when it cannot be read.
    var modelHash: String? = nil
}
