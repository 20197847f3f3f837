import DiffuseCore

/// Attention masks on the host (`Op.additiveMask`, `Op.causalMask`): small, built once per call.
extension CPUBackend {
    /// 0 → −∞, nonzero → 0, f32, same shape as `mask` (any dtype).
    public func additiveMask(_ mask: Tensor) -> Tensor {
        let keep = mask.hostContiguous()
        let out = Tensor(zeros: mask.shape, dtype: .f32)
        let p = out.pointer(as: Float.self)
        for i in 0..<keep.count where keep.scalar(atFlat: i) == 0 { p[i] = -.infinity }
        return out
    }

    /// [queries, keys] f32: −∞ where key > query, else 0.
    public func causalMask(queries: Int, keys: Int) -> Tensor {
        require(queries >= 0 && keys >= 0, "causalMask: negative size \(queries)×\(keys)")
        let out = Tensor(zeros: [queries, keys], dtype: .f32)
        let p = out.pointer(as: Float.self)
        for i in 0..<queries { for j in 0..<keys where j > i { p[i * keys + j] = -.infinity } }
        return out
    }
}
