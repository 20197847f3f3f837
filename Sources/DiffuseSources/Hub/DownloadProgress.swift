import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A download progress bar: file name, bytes done / total, MB/s. On a terminal one line redrawn with
/// `\r` (at most 10 times a second); otherwise (a log file, CI) a plain line every `lineInterval`
/// seconds. Files of `keepBytes` or more (weights) keep a final line; smaller ones (configs,
/// vocabularies) vanish from a terminal and print nothing in a log. Shared by the URLSession delegate
/// queue and the caller, hence the lock.
public final class DownloadProgress: @unchecked Sendable {
    private let write: @Sendable (String) -> Void
    private let isTerminal: Bool
    private let lineInterval: Double
    private let lock = NSLock()
    private var file = ""
    private var done = 0
    private var total: Int?
    private var startDone = 0
    private var started: UInt64 = 0
    private var lastDraw: UInt64 = 0
    private var active = false
    private var printedLine = false
    private let keepBytes = 2_000_000

    /// `write` receives the text to print (with its own `\r` / `\n`).
    public init(isTerminal: Bool, lineInterval: Double = 5, write: @escaping @Sendable (String) -> Void) {
        self.write = write
        self.isTerminal = isTerminal
        self.lineInterval = lineInterval
    }

    /// A bar on standard error, redrawn in place when it is a terminal.
    public static func standardError() -> DownloadProgress {
        DownloadProgress(isTerminal: isatty(2) != 0) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    func start(file: String, done: Int, total: Int?) {
        lock.lock(); defer { lock.unlock() }
        if active && isTerminal { write("\n") }   // a retry: keep the broken-off line
        self.file = file
        self.done = done
        self.total = total
        startDone = done
        started = Self.now()
        lastDraw = started
        active = true
        printedLine = false
        if isTerminal { write("\r" + line() + "\u{1B}[K") } else if done > 0 { write(line() + " (resuming)\n"); printedLine = true }
    }

    func advance(_ bytes: Int) {
        lock.lock(); defer { lock.unlock() }
        done += bytes
        let now = Self.now()
        let interval = isTerminal ? 0.1 : lineInterval
        guard Double(now - lastDraw) / 1e9 >= interval else { return }
        lastDraw = now
        write(isTerminal ? "\r" + line() + "\u{1B}[K" : line() + "\n")
        printedLine = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard active else { return }
        active = false
        let keep = (total ?? done) >= keepBytes || printedLine
        if isTerminal {
            write(keep ? "\r" + line() + "\u{1B}[K\n" : "\r\u{1B}[K")
        } else if keep {
            write(line() + "\n")
        }
    }

    /// `unet/diffusion_pytorch_model.safetensors  812.3 / 3278.5 MB  41.2 MB/s`
    private func line() -> String {
        let seconds = max(Double(Self.now() - started) / 1e9, 1e-3)
        let rate = Double(done - startDone) / 1e6 / seconds
        let amount = Self.megabytes(done) + (total.map { " / " + Self.megabytes($0) } ?? "") + " MB"
        let percent = total.map { $0 > 0 ? String(format: " %3.0f%%", 100 * Double(done) / Double($0)) : "" } ?? ""
        return "\(file)  \(amount)\(percent)  \(String(format: "%.1f", rate)) MB/s"
    }

    private static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
