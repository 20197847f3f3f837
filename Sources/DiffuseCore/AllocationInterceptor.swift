/// A hook into `HostAllocator` for one task (on a plain thread: one thread): the compiler's memory plan
/// (`DiffuseCompile`) records the allocation sequence of a replay, then serves the k-th allocation of
/// later replays from one arena. Allocations made on other threads are never intercepted.
public protocol AllocationInterceptor: AnyObject, Sendable {
    /// Memory for an allocation of `byteCount` bytes (64-byte aligned, inside an arena registered with
    /// `HostAllocator.registerArena`), or nil to let `HostAllocator` allocate normally.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer?
    /// `HostAllocator` allocated `pointer` itself (after `allocate` returned nil).
    func didAllocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int)
    /// `pointer` (from either path) is being released.
    func willDeallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int)
}

extension HostAllocator {
    /// The current task's interceptor.
    @TaskLocal public static var interceptor: (any AllocationInterceptor)?

    /// Runs `body` with every allocation this task (thread) makes going through `interceptor`.
    public static func intercepting<R>(_ interceptor: any AllocationInterceptor, _ body: () throws -> R) rethrows -> R {
        try $interceptor.withValue(interceptor, operation: body)
    }
}
