/// One Diffuse cell against one baseline, as a `--json` line: `{"baseline": "openvino", …, "time_ratio": 1.78}`.
/// (No `status` field, so `BenchResult.load` and `bench chart` skip these lines.)
public struct BenchRatio: Codable, Sendable, Equatable {
    /// The baseline's `source`: "torch", "openvino", "onnxruntime", …
    public var baseline: String
    public var arch: String
    public var component: String
    public var width: Int
    public var height: Int
    public var batch: Int
    /// Diffuse's attention choice; the baseline's is `baselineAttention` (same kind).
    public var attention: String
    public var precision: String
    public var compiled: Bool
    public var baselineAttention: String?
    /// The baseline's status ("ok", "oom", "error"); nil when it has no such cell.
    public var baselineStatus: String?
    public var diffuseSeconds: Double?
    public var baselineSeconds: Double?
    /// Diffuse seconds / the baseline's; nil unless both ran.
    public var timeRatio: Double?
    /// Diffuse peak RSS / the baseline's; nil unless both are known.
    public var memoryRatio: Double?
    public var version: String?

    init(baseline: String, row: BenchComparison.Row) {
        let d = row.diffuse
        self.baseline = baseline
        (arch, component, width, height, batch) = (d.arch, d.component, d.width, d.height, d.batch)
        (attention, precision, compiled) = (d.attention + d.variant, d.precision, d.compiled)
        baselineAttention = row.other?.attention
        baselineStatus = row.other?.status.rawValue
        diffuseSeconds = JSONLine.rounded(d.status == .ok ? d.secondsPerStep : nil, 6)
        baselineSeconds = JSONLine.rounded(row.other?.status == .ok ? row.other?.secondsPerStep : nil, 6)
        timeRatio = JSONLine.rounded(row.timeRatio, 3)
        memoryRatio = JSONLine.rounded(row.memoryRatio, 3)
        version = row.other?.version
    }

    enum CodingKeys: String, CodingKey {
        case baseline, arch, component, width, height, batch, attention, precision, compiled, version
        case baselineAttention = "baseline_attention"
        case baselineStatus = "baseline_status"
        case diffuseSeconds = "diffuse_seconds"
        case baselineSeconds = "baseline_seconds"
        case timeRatio = "time_ratio"
        case memoryRatio = "memory_ratio"
    }

    /// Every field, null when unknown (as the result lines).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(arch, forKey: .arch)
        try c.encode(component, forKey: .component)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(batch, forKey: .batch)
        try c.encode(attention, forKey: .attention)
        try c.encode(precision, forKey: .precision)
        try c.encode(compiled, forKey: .compiled)
        try c.encode(baselineAttention, forKey: .baselineAttention)
        try c.encode(baselineStatus, forKey: .baselineStatus)
        try c.encode(diffuseSeconds, forKey: .diffuseSeconds)
        try c.encode(baselineSeconds, forKey: .baselineSeconds)
        try c.encode(timeRatio, forKey: .timeRatio)
        try c.encode(memoryRatio, forKey: .memoryRatio)
        try c.encode(version, forKey: .version)
    }
}
