#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) or SIGTERM during `diffuse generate`: the first signal asks the denoising loop to stop
/// after the current step (the step callback returns `.cancel`), the command removes what it had begun
/// to write, prints one `error:` line and exits 130 (SIGINT) or 143 (SIGTERM) — 128 + the signal, as a
/// shell reports a process killed by it. A second signal ends the process at once, except while output
/// files are half-written (`whileWriting`): there the writer sees the flag between files, removes its
/// temporaries and exits with the same code, so no `.tmp` file is left behind.
enum Interrupt {
    nonisolated(unsafe) private static var signalNumber: sig_atomic_t = 0
    nonisolated(unsafe) private static var writing: sig_atomic_t = 0

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { sig in
                if Interrupt.signalNumber != 0, Interrupt.writing == 0 { _exit(128 + sig) }
                Interrupt.signalNumber = sig
            }
        }
    }

    static var requested: Bool { signalNumber != 0 }

    /// 130 after SIGINT, 143 after SIGTERM.
    static var exitCode: Int32 { 128 + Int32(signalNumber) }

    /// Runs `body` with a second signal deferred to the flag (see the type's comment).
    static func whileWriting<T>(_ body: () throws -> T) rethrows -> T {
        writing = 1
        defer { writing = 0 }
        return try body()
    }
}

/// The run stopped on SIGINT / SIGTERM: exit code `Interrupt.exitCode`.
struct InterruptedError: Error, CustomStringConvertible {
    var description: String {
        "interrupted (\(Interrupt.exitCode == 143 ? "SIGTERM" : "Ctrl-C")); no image was written"
    }
}
