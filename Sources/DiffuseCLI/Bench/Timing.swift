#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCPU

/// Wall-clock timing with a monotonic clock. Machines here are shared and noisy: report medians.
enum Timing {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Runs `body` once to warm up, then `repeats` times on `threads` threads; returns the median seconds.
    static func median(repeats: Int, threads: Int, _ body: () -> Void) -> Double {
        Parallel.threadCount = threads
        body()
        var samples: [Double] = []
        for _ in 0..<repeats {
            let start = now()
            body()
            samples.append(now() - start)
        }
        samples.sort()
        let mid = samples.count / 2
        return samples.count % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2
    }
}
