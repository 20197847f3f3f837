import DiffuseCore

/// What `--attention` selects: a processor, and for the SDPA backends a restriction to one kernel.
///
/// - `auto`: `ScaledDotProductAttention` with the default priority (flash → memory-efficient → math);
/// - `vanilla`, `sliced`: the materialising processors (the study's baseline);
/// - `flash`, `memory-efficient`, `math`: SDPA forced to that kernel — a call it cannot run fails with
///   every reason instead of falling back.
public enum AttentionChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    case auto, vanilla, sliced, memoryEfficient = "memory-efficient", flash, math

    public init?(userName: String) {
        if let choice = AttentionChoice(rawValue: userName.lowercased()) { self = choice; return }
        guard let backend = SDPBackend(userName: userName) else { return nil }
        switch backend {
        case .flash: self = .flash
        case .memoryEfficient: self = .memoryEfficient
        case .math: self = .math
        }
    }

    public var description: String { rawValue }

    /// The processor to set on every attention layer (it holds the kernel restriction). `sliced` slices one batch·head at a time
    /// (the least memory), as diffusers' `enable_attention_slicing("max")`.
    public var processor: any AttentionProcessor {
        switch self {
        case .vanilla: VanillaAttention()
        case .sliced: SlicedAttention(sliceSize: 1)
        case .auto, .memoryEfficient, .flash, .math: ScaledDotProductAttention(priority: backends ?? SDPDispatch.defaultPriority)
        }
    }

    /// The SDPA kernels allowed, or nil for the default priority.
    public var backends: [SDPBackend]? {
        switch self {
        case .flash: [.flash]
        case .memoryEfficient: [.memoryEfficient]
        case .math: [.math]
        case .auto, .vanilla, .sliced: nil
        }
    }

    /// "auto|vanilla|sliced|memory-efficient|flash|math", for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}
