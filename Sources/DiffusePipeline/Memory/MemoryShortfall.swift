/// A request that does not fit under the limit, in one line that says what was asked, what it would
/// need, what the limit is and where it comes from, and what would fit instead:
///
/// `512×512 × 16 images (f32, vanilla attention) would need about 39.65 GiB (weights 3.20 GiB +
/// activations 36.45 GiB), more than the limit of 21.19 GiB (machine memory 23.54 GiB less 10 %);
/// try --images 8, a size of 384×384 or --attention flash (about 9.21 GiB)`
public struct MemoryShortfall: Error, Sendable, Equatable, CustomStringConvertible {
    public var request: MemoryRequest
    /// The prediction: `weightBytes + activationBytes + baselineBytes`.
    public var neededBytes: Int
    public var weightBytes: Int
    public var activationBytes: Int
    /// Bytes the process held before (counted by the benchmark, which compares with peak RSS).
    public var baselineBytes: Int
    public var limit: MemoryLimit
    /// Single changes that would fit, e.g. `--images 8`, `--attention flash (about 9.21 GiB)`.
    public var suggestions: [String]

    public var description: String {
        let f = MemorySize.format
        var parts = ["weights \(f(weightBytes))", "activations \(f(activationBytes))"]
        if baselineBytes > 0 { parts.append("already in use \(f(baselineBytes))") }
        let advice = suggestions.isEmpty ? "a smaller size and batch"
            : suggestions.count == 1 ? suggestions[0]
            : suggestions.dropLast().joined(separator: ", ") + " or " + suggestions.last!
        return "\(request) would need about \(f(neededBytes)) (\(parts.joined(separator: " + "))), "
            + "more than the limit of \(limit); try \(advice)"
    }

    /// The benchmark's short form: "predicted 21.57 GiB > limit 16.00 GiB (--memory-limit)".
    public var summary: String { "predicted \(MemorySize.format(neededBytes)) > limit \(limit)" }
}
