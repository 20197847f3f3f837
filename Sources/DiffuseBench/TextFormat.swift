import DiffusePipeline

/// Formats with a fixed number of decimals (no Foundation); non-finite values as JSON-safe text.
public func fmt(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "null" : (value > 0 ? "1e308" : "-1e308") }
    return MemorySize.decimals(value, decimals)
}

/// Same as `fmt`, the name used inside this module.
func format(_ value: Double, _ decimals: Int) -> String { fmt(value, decimals) }

/// A JSON string literal.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where scalar.value < 0x20: out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// Bytes as "1.50 GiB" / "512.0 MiB" / "12.0 KiB" (`MemorySize.format`).
public func formatBytes(_ bytes: Int) -> String { MemorySize.format(bytes) }

extension String {
    /// Left-aligned (or right-aligned) in `width` columns, at least one space of separation.
    func padding(_ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(right ? 1 : 1, width - count))
        return right ? fill + self : self + fill
    }
}
