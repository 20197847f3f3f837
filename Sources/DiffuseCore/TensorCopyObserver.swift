/// A hook for copies that happen outside the `Backend`: `Tensor.contiguous()`, `converted(to:)` (and
/// `reshaped` of a non-contiguous tensor, which calls `contiguous()`) and `zeroPadded2D` make new storages
/// the backend never sees. A graph capture (`DiffuseCompile`) must record them as nodes, or a replay would
/// reuse the bytes of the captured call. The observer is task-local (on a plain thread: thread-local), so
/// only the capturing thread reports, and costs one task-local read per copy otherwise.
public protocol TensorCopyObserver: AnyObject, Sendable {
    /// `result` (a new storage) was made from `source` by `kind`.
    func tensorCopied(_ kind: TensorCopyKind, from source: Tensor, to result: Tensor)
}

/// What a copy outside the backend did.
public enum TensorCopyKind: Sendable, Equatable {
    /// A row-major copy (`contiguous()`).
    case contiguous
    /// A contiguous copy converted to a dtype (`converted(to:)`); the source is already contiguous.
    case convert(DType)
    /// `zeroPadded2D(left:right:top:bottom:)` of an NCHW tensor.
    case zeroPad2D(left: Int, right: Int, top: Int, bottom: Int)
}

/// Where the current observer lives.
public enum TensorCopyObservation {
    @TaskLocal public static var observer: (any TensorCopyObserver)?

    /// Runs `body` with `observer` told about every copy this task (thread) makes outside the backend.
    public static func observing<R>(_ observer: any TensorCopyObserver, _ body: () throws -> R) rethrows -> R {
        try $observer.withValue(observer, operation: body)
    }
}
