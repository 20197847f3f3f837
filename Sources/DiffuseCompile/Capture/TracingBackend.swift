#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore

/// A `Backend` that forwards every op to `base` and, while a capture runs on the calling thread, records
/// it into a graph (the `Op` with its attributes, input views, output). Build a model with it as its
/// backend to make the model compilable (`CompiledUNet`); outside captures it only forwards (one lock per
/// op). Copies are ops too, so the graph sees every value the forward pass makes.
public final class TracingBackend: WrappingBackend, @unchecked Sendable {
    /// The backend that computes (and that replays run on).
    public let base: any Backend
    private let lock = Lock()
    private var recorder: GraphRecorder?
    private var captureThread: pthread_t?

    public init(wrapping base: any Backend) {
        self.base = base
    }

    public func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        traced(op, inputs) { base.execute(op, inputs) }
    }

    /// Runs `body` with every op this thread sends through this backend recorded by `recorder`. One
    /// capture at a time.
    func capturing<R>(_ recorder: GraphRecorder, _ body: () throws -> R) throws -> R {
        try lock.withLock {
            guard self.recorder == nil else { throw CompileError.captureInProgress }
            self.recorder = recorder
            captureThread = pthread_self()
        }
        defer { lock.withLock { self.recorder = nil; captureThread = nil } }
        return try body()
    }

    /// The recorder, when the calling thread is capturing and not already inside an op.
    private func activeRecorder() -> GraphRecorder? {
        lock.withLock {
            guard let recorder, let captureThread, pthread_equal(captureThread, pthread_self()) != 0,
                  recorder.depth == 0 else { return nil }
            return recorder
        }
    }

    /// Runs `compute` and records it as `op` on `inputs` when capturing.
    func traced(_ op: Op, _ inputs: [Tensor?], _ compute: () -> Tensor) -> Tensor {
        guard let recorder = activeRecorder() else { return compute() }
        let before = Storage.lastSerial
        recorder.depth += 1
        let output = compute()
        recorder.depth -= 1
        recorder.record(op, inputs: inputs, output: output, serialBefore: before)
        return output
    }
}
