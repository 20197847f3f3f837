#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C during `diffuse generate`: the first SIGINT asks the denoising loop to stop after the current
/// step (the step callback returns `.cancel`, the command prints one `error:` line and writes nothing);
/// the handler then restores the default action, so a second Ctrl-C ends the process at once.
enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in
            Interrupt.flag = 1
            signal(SIGINT, SIG_DFL)
        }
    }

    static var requested: Bool { flag != 0 }
}
