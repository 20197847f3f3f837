import Testing
import DiffuseCore

@Suite struct DTypeConversionTests {
    @Test func bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even one (1).
        #expect(BFloat16.bits(from: 1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2^-8 is a tie between 1 + 2^-7 (odd mantissa) and 1 + 2^-6: rounds up to the even one.
        #expect(BFloat16.bits(from: 1 + 3 * 0x1p-8) == 0x3F82)
        // Just above the tie rounds up.
        #expect(BFloat16.bits(from: 1 + 0x1p-8 + 0x1p-20) == 0x3F81)
        #expect(BFloat16.bits(from: -2) == 0xC000)
        #expect(BFloat16.float(fromBits: BFloat16.bits(from: .infinity)) == .infinity)
        #expect(BFloat16.float(fromBits: BFloat16.bits(from: .nan)).isNaN)
        // The largest finite float rounds to infinity, as in PyTorch.
        #expect(BFloat16.float(fromBits: BFloat16.bits(from: .greatestFiniteMagnitude)) == .infinity)
    }

    @Test func roundTripsThroughHalfAndBFloat() {
        let values: [Float] = [0, -0.5, 1, 3.140625, 65504, -1e-3, 100]
        let t = Tensor(values, shape: [7])
        #expect(t.hostConverted(to: .f16).hostConverted(to: .f32).floats() == values.map { Float(Float16($0)) })
        let viaBF = t.hostConverted(to: .bf16).hostConverted(to: .f32).floats()
        #expect(viaBF == values.map { BFloat16.float(fromBits: BFloat16.bits(from: $0)) })
        #expect(viaBF[3] == 3.140625)
    }

    @Test func convertsNonContiguousViews() {
        let t = Tensor((0..<6).map(Float.init), shape: [2, 3]).transposed()
        #expect(t.hostConverted(to: .bf16).floats() == [0, 3, 1, 4, 2, 5])
    }

    @Test func userNames() {
        #expect(DType(userName: "fp16") == .f16)
        #expect(DType(userName: "bfloat16") == .bf16)
        #expect(DType(userName: "float8") == nil)
        #expect(DType(safetensorsName: "BF16") == .bf16)
        #expect(DType(safetensorsName: "F8_E4M3") == nil)
    }
}
