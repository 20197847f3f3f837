import DiffuseCore
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Work splitting across cores. Every multithreaded kernel goes through here so that one setting governs
/// them all: the `threads` a `CPUBackend` was built with for the ops it runs, else the process default
/// (`Parallel.threadCount`: all cores, or `--threads` for the kernel benchmarks).
public enum Parallel {
    /// Online logical CPUs of this machine.
    public static let machineCores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    nonisolated(unsafe) private static var configuredThreads = machineCores
    private static let lock = Lock()

    /// The thread count of the `CPUBackend` running the current op (see `withThreads`).
    @TaskLocal private static var backendThreads: Int?

    /// Threads the kernels use: the running backend's, else the process default (the machine's cores).
    /// Setting it sets the process default; values < 1 become 1.
    public static var threadCount: Int {
        get { backendThreads ?? lock.withLock { configuredThreads } }
        set { lock.withLock { configuredThreads = max(1, newValue) } }
    }

    /// Runs `body` with the kernels it calls on this thread using `threads` threads (nil: the default).
    /// How `CPUBackend(threads:)` applies its setting to every op it runs.
    public static func withThreads<R>(_ threads: Int?, _ body: () -> R) -> R {
        guard let threads else { return body() }
        return $backendThreads.withValue(max(1, threads), operation: body)
    }

    /// Runs `body(task)` for task in 0..<tasks on up to `threadCount` threads; returns when all are done.
    /// Tasks are handed out in order; the calling thread takes part.
    public static func forEach(_ tasks: Int, _ body: (Int) -> Void) {
        if tasks <= 0 { return }
        let threads = min(threadCount, tasks)
        if threads == 1 {
            for t in 0..<tasks { body(t) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let t = next.increment()
                    if t >= tasks { break }
                    box.value(t)
                }
            }
        }
    }

    /// Splits 0..<count into contiguous ranges of at least `grain` items, about one per thread
    /// (times `oversubscribe` for load balance), and runs `body` on each.
    public static func forRanges(_ count: Int, grain: Int = 1, oversubscribe: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let maxTasks = max(1, count / max(grain, 1))
        let tasks = min(maxTasks, threadCount * max(oversubscribe, 1))
        if tasks == 1 { body(0..<count); return }
        forEach(tasks) { t in
            let lo = count * t / tasks, hi = count * (t + 1) / tasks
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// Passes a non-Sendable value (a closure over raw pointers) into `concurrentPerform`. Safe because
/// each kernel task writes a disjoint part of its output.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A counter shared by worker threads.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = Lock()
    func increment() -> Int { lock.withLock { defer { value += 1 }; return value } }
}
