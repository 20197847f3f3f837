/// Byte sizes as the command line writes them: `16GiB`, `16G`, `512MiB`, `1.5GB`, `123456` (bytes).
/// Binary units (KiB, MiB, GiB, TiB, and K, M, G, T) are powers of 1024; decimal ones (KB, MB, GB, TB)
/// powers of 1000. Printed sizes are binary: `21.19 GiB`, `512.0 MiB`.
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

    /// The part of the machine's memory a run may count on: `machineBytes` less a margin for the OS and
    /// other processes (10 %, at least 1 GiB), or nil when the machine's memory is unknown. One of the
    /// candidates of the default limit (`MemoryLimitProbe`).
    public static func defaultLimit(machineBytes: Int? = MemoryLimitProbe.system.machineBytes) -> Int? {
        guard let total = machineBytes else { return nil }
        return total - margin(machineBytes: total)
    }

    /// What `defaultLimit` leaves to the OS: 10 % of the machine, at least 1 GiB.
    public static func margin(machineBytes: Int) -> Int { max(machineBytes / 10, 1 << 30) }

    /// Bytes as "1.50 GiB" / "512.0 MiB" / "12.0 KiB".
    public static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if bytes >= 1 << 30 { return decimals(b / Double(1 << 30), 2) + " GiB" }
        if bytes >= 1 << 20 { return decimals(b / Double(1 << 20), 1) + " MiB" }
        return decimals(b / 1024, 1) + " KiB"
    }

    /// `value` with exactly `places` decimals (no Foundation). Also the benchmark's number format (`fmt`).
    public static func decimals(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard value.isFinite, scaled < 9e18 else { return "\(value)" }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale), fraction = units % UInt64(scale)
        var text = (value < 0 && units != 0 ? "-" : "") + "\(whole)"
        if places > 0 {
            let digits = "\(fraction)"
            text += "." + String(repeating: "0", count: places - digits.count) + digits
        }
        return text
    }
}
