/// Byte sizes as the command line writes them: `16GiB`, `16G`, `512MiB`, `1.5GB`, `123456` (bytes).
/// Binary units (KiB, MiB, GiB, TiB, and K, M, G, T) are powers of 1024; decimal ones (KB, MB, GB, TB)
/// powers of 1000.
public enum MemorySize {
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.filter { $0 != " " && $0 != "_" }
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(number.count).lowercased()
        guard let value = Double(number), value >= 0 else { return nil }
        let factors: [String: Double] = [
            "": 1, "b": 1,
            "k": 1024, "kib": 1024, "m": 1048576, "mib": 1048576, "g": 1073741824, "gib": 1073741824,
            "t": 1099511627776, "tib": 1099511627776,
            "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        ]
        guard let factor = factors[unit] else { return nil }
        let bytes = value * factor
        return bytes < 9e18 ? Int(bytes) : nil
    }

    /// The default `--memory-limit`: the machine's memory less a margin for the OS and other
    /// processes (10 %, at least 1 GiB), or nil when the machine's memory is unknown.
    public static func defaultLimit(machineBytes: Int? = ProcessMemory.machineBytes) -> Int? {
        guard let total = machineBytes else { return nil }
        return total - max(total / 10, 1 << 30)
    }
}
