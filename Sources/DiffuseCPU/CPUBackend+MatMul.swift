import DiffuseCore

extension CPUBackend {
    /// `alpha · op(a) · op(b) (+ beta · c)`, batched — see `Backend.matmul`.
    ///
    /// a: [..., M, K] (or [..., K, M] with transposeA), b: [..., K, N] (or [..., N, K] with transposeB), batch
    /// dimensions equal or one side 2-D (shared); c: [..., M, N]. Views whose last two dimensions include a
    /// stride-1 one are used in place (mapped to a transpose + leading dimension); others are copied.
    /// f16 / bf16 operands are read in their dtype and converted to f32 as the GEMM packs them (a weight is
    /// never widened as a whole); bf16 × bf16 uses the AVX512-BF16 kernel when the CPU has it. The result
    /// has a's dtype.
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, c: Tensor?) -> Tensor {
        let shapes = "a \(a.shape) (transposeA: \(transposeA)), b \(b.shape) (transposeB: \(transposeB))"
        require(a.rank >= 2 && b.rank >= 2, "matmul: operands need at least 2 dimensions; \(shapes)")
        require(a.dtype.isFloatingPoint && b.dtype.isFloatingPoint,
                     "matmul: floating-point operands required, got \(a.dtype) and \(b.dtype)")
        let m = transposeA ? a.size(-1) : a.size(-2), k = transposeA ? a.size(-2) : a.size(-1)
        let kb = transposeB ? b.size(-1) : b.size(-2), n = transposeB ? b.size(-2) : b.size(-1)
        require(k == kb, "matmul: inner dimensions differ (\(k) vs \(kb)); \(shapes)")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        require(batchA == batchB || batchA.isEmpty || batchB.isEmpty,
                     "matmul: batch dimensions \(batchA) and \(batchB) differ (one side may be 2-D); \(shapes)")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let outShape = batchShape + [m, n]
        if let c {
            require(c.shape == outShape, "matmul: c has shape \(c.shape), the result has \(outShape); \(shapes)")
        }

        // A Linear layer on [batch…, M, K] with a 2-D weight is one GEMM with M = batch · M: the weight is
        // packed once and the threads share one large problem instead of one per item.
        if batchB.isEmpty && !batchA.isEmpty && !transposeA && k > 0 && a.isContiguous && (c?.isContiguous ?? true) {
            let rows = a.count / k
            return matmul(a.reshaped([rows, k]), b, transposeA: false, transposeB: transposeB, alpha: alpha,
                          beta: beta, c: c?.reshaped([rows, n])).reshaped(outShape)
        }

        // The result is computed in f32, starting from c when beta uses it.
        let out = Tensor(zeros: outShape, dtype: .f32)
        var betaUsed: Float = 0
        if let c, beta != 0 {
            c.hostConverted(to: .f32).copyStrided(to: out.rawPointer)
            betaUsed = beta
        }
        let batch = batchShape.reduce(1, *)

        if a.dtype == .bf16 && b.dtype == .bf16 && CPUFeatures.current.avx512bf16 {
            let opA = MatMulOperand(a, transposed: transposeA), opB = MatMulOperand(b, transposed: transposeB)
            let aOffsets = opA.batchOffsets(batchShape), bOffsets = opB.batchOffsets(batchShape)
            let pa = opA.tensor.pointer(as: UInt16.self), pb = opB.tensor.pointer(as: UInt16.self)
            let pc = out.pointer(as: Float.self)
            GEMM.runBatched(batch, m: m, n: n, k: k) { i, threads in
                GEMM.bf16Driver(m: m, n: n, k: k, alpha: alpha,
                                a: pa + aOffsets[i], aRowStride: opA.rowStride, aColumnStride: opA.columnStride,
                                b: pb + bOffsets[i], bRowStride: opB.rowStride, bColumnStride: opB.columnStride,
                                beta: betaUsed, c: pc + i * m * n, ldc: n, threads: threads)
            }
        } else {
            // f32 GEMM; an f16 / bf16 operand is read in its own dtype and converted as it is packed.
            let opA = MatMulOperand(a, transposed: transposeA), opB = MatMulOperand(b, transposed: transposeB)
            let aOff = opA.batchOffsets(batchShape), bOff = opB.batchOffsets(batchShape)
            let pc = out.pointer(as: Float.self)
            withExtendedLifetime((opA.tensor, opB.tensor)) {
                GEMM.runBatched(batch, m: m, n: n, k: k) { i, threads in
                    GEMMDriver.runMatrix(m: m, n: n, k: k, alpha: alpha,
                                         a: GEMMOperand(opA.tensor, offset: aOff[i], rowStride: opA.rowStride,
                                                        columnStride: opA.columnStride),
                                         b: GEMMOperand(opB.tensor, offset: bOff[i], rowStride: opB.rowStride,
                                                        columnStride: opB.columnStride),
                                         beta: betaUsed, c: OutputMatrix(base: pc + i * m * n, ld: n), threads: threads)
                }
            }
        }
        return a.dtype == .f32 ? out : out.hostConverted(to: a.dtype)
    }
}
