/// The shape rule of every op: the result's shape and dtype from the operands' (for well-formed calls;
/// kernels check their operands and stop with a message on ill-formed ones). Backends allocate results
/// by it, the conformance test checks every backend against it.
extension Op {
    /// The result's shape for operands of `shapes` (same order as `execute`'s inputs).
    public func outputShape(_ shapes: [[Int]?]) -> [Int] {
        func s(_ i: Int) -> [Int] { shapes[i]! }
        switch self {
        case let .matmul(transposeA, transposeB, _, _):
            let a = s(0), b = s(1)
            let m = transposeA ? a[a.count - 1] : a[a.count - 2], n = transposeB ? b[b.count - 2] : b[b.count - 1]
            let batch = a.count > 2 ? Array(a.dropLast(2)) : Array(b.dropLast(2))
            return batch + [m, n]
        case .linear(let prepacked):
            let w = s(1)
            return Array(s(0).dropLast()) + [prepacked ? w[1] : w[0]]
        case let .conv2d(stride, padding):
            let x = s(0), w = s(1)
            return [x[0], w[0], (x[2] + 2 * padding - w[2]) / stride + 1, (x[3] + 2 * padding - w[3]) / stride + 1]
        case .pointwiseConv:
            let x = s(0)
            return [x[0], s(1)[0], x[2], x[3]]
        case .geglu:
            let x = s(0)
            return Array(x.dropLast()) + [x[x.count - 1] / 2]
        case .add, .sub, .mul:
            return Op.broadcastShape(s(0), s(1))
        case .groupNorm, .layerNorm, .softmax, .activation, .scale, .divide, .clamp, .contiguous, .cast,
             .linearCombination:
            return s(0)
        case let .pad2D(left, right, top, bottom):
            let x = s(0)
            return [x[0], x[1], x[2] + top + bottom, x[3] + left + right]
        case .fill(let shape, _, _):
            return shape
        case .concat(let dim):
            var shape = s(0)
            let d = dim < 0 ? dim + shape.count : dim
            shape[d] = shapes.reduce(0) { $0 + $1![d] }
            return shape
        case let .upsampleNearest(height, width):
            let x = s(0)
            return [x[0], x[1], height, width]
        case .embedding:
            return s(1) + [s(0)[1]]
        case .timestepEmbedding(let dim, _, _, _, _):
            return [s(0).reduce(1, *), dim]
        case .attention:
            let q = s(0), v = s(2)
            return [q[0], q[1], q[2], v[3]]
        case .additiveMask:
            return s(0)
        case let .causalMask(queries, keys):
            return [queries, keys]
        }
    }

    /// The result's dtype for operands of `dtypes`.
    public func outputDType(_ dtypes: [DType?]) -> DType {
        switch self {
        case .cast(let dtype), .fill(_, let dtype, _): dtype
        case .attention(_, _, _, let dtype, _): dtype
        case .timestepEmbedding, .additiveMask, .causalMask, .linearCombination: .f32
        default: dtypes[0]!
        }
    }

    /// NumPy broadcasting of two shapes (right-aligned; sizes equal or 1). Stops on shapes that do not broadcast.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a, pb = [Int](repeating: 1, count: rank - b.count) + b
        return zip(pa, pb).map { x, y in
            require(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
            return x == 1 ? y : x
        }
    }
}
