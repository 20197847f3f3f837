/// Element types a `Tensor` can hold. Floating types are computed in `Float`; f16/bf16 are storage formats.
public enum DType: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case f32, f16, bf16, i32, i64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16: 2
        case .i64: 8
        }
    }

    public var isFloatingPoint: Bool {
        switch self {
        case .f32, .f16, .bf16: true
        case .i32, .i64: false
        }
    }

    /// The dtype name used in safetensors headers ("F32", "BF16", …).
    public var safetensorsName: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .i32: "I32"
        case .i64: "I64"
        }
    }

    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName }) else { return nil }
        self = match
    }

    /// Accepts "f32", "fp32", "float32", "float", "f16", "fp16", "half", "float16", "bf16", "bfloat16".
    public init?(userName: String) {
        switch userName.lowercased() {
        case "f32", "fp32", "float32", "float": self = .f32
        case "f16", "fp16", "float16", "half": self = .f16
        case "bf16", "bfloat16": self = .bf16
        case "i32", "int32": self = .i32
        case "i64", "int64", "long": self = .i64
        default: return nil
        }
    }

    public var description: String { rawValue }
}
