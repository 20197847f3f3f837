/// `precondition` for op arguments that keeps its message in optimised builds.
///
/// DiffuseCPU is always compiled with `-O`, where `require(_:_:)` traps *without printing its
/// message* ("Illegal instruction" and nothing else). Shape and id errors are the user's first clue,
/// so the ops check with this instead: `fatalError` always prints.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
