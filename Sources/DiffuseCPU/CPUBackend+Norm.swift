import DiffuseCore

extension CPUBackend {
    /// torch.nn.GroupNorm (biased variance) over x [N, C, *] with any number of spatial dimensions,
    /// optionally followed by SiLU. weight, bias: [C] or nil (no affine). Output contiguous, x's dtype.
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor {
        require(x.rank >= 2, "groupNorm: input must be [N, C, *], got shape \(x.shape)")
        let channels = x.shape[1]
        require(groups > 0 && channels % groups == 0,
                "groupNorm: \(groups) groups do not divide the \(channels) channels of input \(x.shape)")
        let w = affineParameter("groupNorm", "weight", weight, length: channels, input: x)
        let b = affineParameter("groupNorm", "bias", bias, length: channels, input: x)
        let input = x.contiguousF32(for: "groupNorm")
        let out = Tensor(uninitialized: x.shape, dtype: .f32)
        let spatial = x.shape.dropFirst(2).reduce(1, *)
        GroupNormKernel.run(input.floatPointer, out.mutableFloatPointer, batch: x.shape[0], channels: channels, spatial: spatial,
                            groups: groups, weight: w?.floatPointer, bias: b?.floatPointer, eps: eps, fusedSiLU: fusedSiLU)
        return withExtendedLifetime((input, w, b)) { out.finished(as: x.dtype) }
    }

    /// torch.nn.LayerNorm over the last dimension (biased variance). weight, bias: [D] or nil.
    /// Output contiguous, x's dtype.
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        require(x.rank >= 1, "layerNorm: input must have at least one dimension, got shape \(x.shape)")
        let d = x.shape[x.rank - 1]
        let w = affineParameter("layerNorm", "weight", weight, length: d, input: x)
        let b = affineParameter("layerNorm", "bias", bias, length: d, input: x)
        let input = x.contiguousF32(for: "layerNorm")
        let out = Tensor(uninitialized: x.shape, dtype: .f32)
        let rows = d == 0 ? 0 : x.count / d
        LayerNormKernel.run(input.floatPointer, out.mutableFloatPointer, rows: rows, length: d,
                            weight: w?.floatPointer, bias: b?.floatPointer, eps: eps)
        return withExtendedLifetime((input, w, b)) { out.finished(as: x.dtype) }
    }

    /// Checks an optional affine parameter is [length] (any 1-element-per-channel shape of that count
    /// is accepted) and returns it as contiguous f32.
    private func affineParameter(_ op: String, _ name: String, _ p: Tensor?, length: Int, input: Tensor) -> Tensor? {
        guard let p else { return nil }
        require(p.count == length && p.shape.filter({ $0 != 1 }).count <= 1,
                "\(op): \(name) of shape \(p.shape) does not match the \(length) channels of input \(input.shape)")
        return p.contiguousF32(for: "\(op) \(name)")
    }
}
