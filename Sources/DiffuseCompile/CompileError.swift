/// Why a model could not be compiled (eager still works: run the model itself).
public enum CompileError: Error, CustomStringConvertible, Equatable {
    /// The forward pass used tensors a replay could not reproduce.
    case unreplayable([String])
    /// The model was not built on a `TracingBackend`.
    case notTraceable(String)
    /// Another capture is running on this backend.
    case captureInProgress
    /// The compiled graph's result differs from eager beyond rounding: a compiler bug; refused.
    case mismatch(String)

    public var description: String {
        switch self {
        case .unreplayable(let reasons):
            "cannot compile: " + (reasons.first ?? "unknown value") + (reasons.count > 1 ? " (and \(reasons.count - 1) more)" : "")
                + "; run it eagerly (without --compile)"
        case .notTraceable(let what):
            "cannot compile \(what): build it with `TracingBackend(wrapping: backend)` as its backend"
        case .captureInProgress:
            "cannot compile: another capture is running on this backend; compile one shape at a time"
        case .mismatch(let detail):
            "compiled graph differs from eager (\(detail)); refusing it — run eagerly and report this"
        }
    }
}
