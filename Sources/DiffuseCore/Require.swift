/// `precondition` that keeps its message in optimised builds.
///
/// With `-O` (every release build, and the kernel targets always) `precondition` traps *without
/// printing its message* — "Illegal instruction" and nothing else. Shape, dtype and id errors are a
/// user's first clue, so public APIs check with `require`: `fatalError` always prints.
@inline(__always)
public func require(_ condition: Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
