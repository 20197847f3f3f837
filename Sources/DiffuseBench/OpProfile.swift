#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore

/// Time per op kind (`--profile`): calls, seconds and floating-point operations, accumulated by
/// `ProfilingBackend`. Costs one clock read per op and a lock; off (not even wrapped) without `--profile`.
public final class OpProfile: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public var calls = 0
        public var seconds = 0.0
        /// FLOPs of the calls whose count is known (matmul, conv2d, attention; an FMA counts 2), else 0.
        public var flops = 0.0
    }

    private let lock = Lock()
    private var entries: [String: Entry] = [:]
    private var shapeEntries: [String: Entry] = [:]
    /// Also time each (kind, shape) pair (`--profile-shapes`); the shape text is only built when set.
    public let byShape: Bool

    public init(byShape: Bool = false) { self.byShape = byShape }

    /// Runs `body`, charging its wall time (and `flops`) to `kind` and, with `byShape`, to
    /// "kind shape()" as well.
    @inline(__always)
    public func time<R>(_ kind: String, flops: Double = 0, shape: () -> String = { "" }, _ body: () -> R) -> R {
        let start = Self.now()
        let result = body()
        let elapsed = Self.now() - start
        let shapeKey = byShape ? [kind, shape()].filter { !$0.isEmpty }.joined(separator: " ") : nil
        lock.withLock {
            entries[kind, default: Entry()].calls += 1
            entries[kind, default: Entry()].seconds += elapsed
            entries[kind, default: Entry()].flops += flops
            if let shapeKey {
                shapeEntries[shapeKey, default: Entry()].calls += 1
                shapeEntries[shapeKey, default: Entry()].seconds += elapsed
                shapeEntries[shapeKey, default: Entry()].flops += flops
            }
        }
        return result
    }

    /// Per (kind, shape) pair, slowest first (empty unless `byShape`).
    public var sortedShapes: [(kind: String, entry: Entry)] {
        lock.withLock { shapeEntries.map { ($0.key, $0.value) } }.sorted { $0.entry.seconds > $1.entry.seconds }
    }

    /// Per kind, slowest first.
    public var sorted: [(kind: String, entry: Entry)] {
        lock.withLock { entries.map { ($0.key, $0.value) } }.sorted { $0.entry.seconds > $1.entry.seconds }
    }

    public func reset() { lock.withLock { entries = [:]; shapeEntries = [:] } }

    /// The table: op kind, calls, seconds, % of `total` (wall time of the profiled calls; the rest is
    /// shown as "outside backend ops": Swift glue, tensor allocation, and ops a wrapper below this one
    /// ran itself), GFLOP/s where known and, given the machine's `peak` GFLOP/s (`CPUPeak`, all threads),
    /// the % of it.
    public func table(total: Double, peak: Double? = nil) -> [String] {
        let rows = sorted
        var lines = Self.rows(rows, title: "op kind", width: 22, total: total, peak: peak)
        let covered = rows.reduce(0) { $0 + $1.entry.seconds }
        lines.append("outside backend ops".padding(22) + "".padding(8) + format(max(0, total - covered), 4).padding(11, right: true)
                     + format(100 * max(0, total - covered) / max(total, 1e-12), 1).padding(9, right: true))
        if byShape {
            lines.append("")
            lines += Self.rows(sortedShapes, title: "op shape", width: 64, total: total, peak: peak)
        }
        return lines
    }

    /// A header and one line per entry: name, calls, seconds, % of `total`, GFLOP/s where known (and % of
    /// `peak` when given).
    static func rows(_ rows: [(kind: String, entry: Entry)], title: String, width: Int, total: Double,
                     peak: Double? = nil) -> [String] {
        var lines = [title.padding(width) + "calls".padding(8, right: true) + "seconds".padding(11, right: true)
                     + "% total".padding(9, right: true) + "GFLOP/s".padding(10, right: true)
                     + (peak == nil ? "" : "% peak".padding(8, right: true))]
        for (kind, e) in rows {
            let rate = e.flops > 0 ? e.flops / e.seconds / 1e9 : nil
            lines.append(kind.padding(width) + "\(e.calls)".padding(8, right: true)
                         + format(e.seconds, 4).padding(11, right: true)
                         + format(100 * e.seconds / max(total, 1e-12), 1).padding(9, right: true)
                         + (rate.map { format($0, 1) } ?? "-").padding(10, right: true)
                         + (peak.map { p in (rate.map { format(100 * $0 / p, 0) } ?? "-").padding(8, right: true) } ?? ""))
        }
        return lines
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
