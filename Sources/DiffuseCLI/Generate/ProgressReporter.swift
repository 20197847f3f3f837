#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffusePipeline

/// The step progress of `diffuse generate` on stderr: on a terminal one line redrawn in place
/// (`[########----] 6/12  1.52 it/s  0:04 left`), otherwise one plain line per step.
final class ProgressReporter {
    let isTerminal: Bool
    let quiet: Bool
    /// `--json`: stdout carries only the JSON report, so information lines go to stderr.
    let infoToStandardError: Bool

    init(quiet: Bool, infoToStandardError: Bool = false) {
        self.quiet = quiet
        self.infoToStandardError = infoToStandardError
        isTerminal = isatty(STDERR_FILENO) != 0
    }

    func report(_ step: GenerationStep) {
        guard !quiet else { return }
        let rate = step.elapsed > 0 ? Double(step.step) / step.elapsed : 0
        let left = rate > 0 ? Double(step.stepCount - step.step) / rate : 0
        let numbers = "\(step.step)/\(step.stepCount)  \(Self.fixed(rate, 2)) it/s  \(Self.clock(left)) left"
        if isTerminal {
            let width = 24, filled = step.step * width / max(step.stepCount, 1)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            Self.write("\r\u{1B}[2K[\(bar)] \(numbers)" + (step.step == step.stepCount ? "\n" : ""))
        } else {
            Self.write("step \(numbers)\n")
        }
    }

    /// An informational line (suppressed by --quiet).
    func info(_ line: String) {
        guard !quiet else { return }
        if infoToStandardError { Self.write(line + "\n") } else { print(line) }
    }

    /// Unbuffered write to file descriptor 2.
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { writeToFD(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((x * scale).rounded())
        let whole = n / Int(scale), frac = n % Int(scale)
        let fracText = String(frac)
        return "\(whole)." + String(repeating: "0", count: digits - fracText.count) + fracText
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, (s / 60) % 60, s % 60)
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }
}

/// POSIX `write`, named apart from `ProgressReporter.write`.
private func writeToFD(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
