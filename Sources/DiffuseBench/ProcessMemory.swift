#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffusePipeline

/// The process's resident memory and the machine's, from Linux's `/proc` (nil elsewhere).
public enum ProcessMemory {
    /// Starts a new peak-RSS measurement: writing "5" to `/proc/self/clear_refs` resets `VmHWM` to the
    /// current RSS (Linux ≥ 4.0). Returns whether it worked.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(file) }
        return fputs("5", file) >= 0
    }

    /// Peak resident set size since the last `resetPeak()` (`VmHWM`), in bytes.
    public static var peakResidentBytes: Int? { statusField("VmHWM", in: "/proc/self/status") }

    /// Current resident set size (`VmRSS`), in bytes.
    public static var residentBytes: Int? { statusField("VmRSS", in: "/proc/self/status") }

    /// The machine's memory (`MemTotal`), in bytes (`MemoryLimitProbe`).
    public static var machineBytes: Int? { MemoryLimitProbe.system.machineBytes }

    /// The CPU's model name (`/proc/cpuinfo`), e.g. "AMD EPYC 9R14 96-Core Processor".
    public static var cpuModel: String {
        for line in readLines("/proc/cpuinfo") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            }
        }
        return "unknown CPU"
    }

    /// A "Name:   123 kB" line of a /proc file, in bytes.
    static func statusField(_ name: String, in path: String) -> Int? {
        for line in readLines(path) where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter(\.isNumber)
            guard let value = Int(String(digits)) else { return nil }
            return line.hasSuffix("kB") ? value * 1024 : value
        }
        return nil
    }

    static func readLines(_ path: String) -> [String] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            var line = String(decoding: bytes, as: UTF8.self)
            if line.hasSuffix("\n") { line.removeLast() }
            lines.append(line)
        }
        return lines
    }
}
