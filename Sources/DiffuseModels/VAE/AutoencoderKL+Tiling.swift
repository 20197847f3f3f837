import DiffuseCore

/// diffusers' `vae.enable_tiling()` and `enable_slicing()` (models/autoencoders/autoencoder_kl.py:
/// `tiled_decode`, `_tiled_encode`, `blend_v`, `blend_h`): large images are decoded (and encoded) in
/// overlapping tiles, each through the whole decoder (encoder) on its own, then cross-faded where they
/// overlap; batches run one image at a time. Memory then follows the tile, not the image (a 2048² decode
/// holds one 512² tile's activations). The result differs from the untiled one — each tile's GroupNorm
/// sees only the tile — exactly as diffusers' does.
public struct VAETiling: Sendable, Equatable {
    /// `tile_sample_min_size`: the tile side in pixels (the VAE config's `sample_size`: 512 for SD 1.x,
    /// 1024 for SDXL's VAE).
    public var sampleTile: Int
    /// `tile_latent_min_size`: the tile side in latents (`sample_size / 2^(len(block_out_channels) − 1)`).
    public var latentTile: Int
    /// `tile_overlap_factor`: 0.25.
    public var overlapFactor: Double = 0.25

    public init(sampleTile: Int, latentTile: Int) {
        self.sampleTile = sampleTile
        self.latentTile = latentTile
    }

    /// diffusers' tile sizes for a VAE config (`AutoencoderKL.__init__`).
    public init(config: AutoencoderKLConfig) {
        let side = config.sampleSize.height
        self.init(sampleTile: side, latentTile: side / config.scaleFactor)
    }

    /// Tile starts along one side of length `length`, every `step` (Python's `range(0, length, step)`).
    static func starts(_ length: Int, step: Int) -> [Int] { Array(stride(from: 0, to: length, by: max(step, 1))) }
}

extension AutoencoderKL {
    /// `decode` with tiling and slicing: unscaled latents [B, C, h, w] → image [B, out, h·f, w·f]. Latents
    /// no larger than one tile decode whole (as diffusers' `_decode` does), one image at a time.
    public func decode(_ latents: Tensor, tiling: VAETiling) throws -> Tensor {
        try AutoencoderError.checkImageLike(latents, role: "latents", channels: config.latentChannels, method: "decode")
        let images = try (0..<latents.size(0)).map { i in
            let z = latents.sliced(dim: 0, i..<(i + 1))                                 // [1, C, h, w]
            guard z.size(2) > tiling.latentTile || z.size(3) > tiling.latentTile else { return try decodeWhole(z) }
            return try Self.tiled(z, tile: tiling.latentTile, outputTile: tiling.sampleTile,
                                  overlap: tiling.overlapFactor, backend: backend) { tile in try decodeWhole(tile) }
        }
        return images.count == 1 ? images[0] : backend.concat(images, dim: 0)
    }

    /// `latentDistribution` with tiling and slicing: image [B, in, H, W] → the posterior of
    /// [B, latent, H/f, W/f] (`_tiled_encode` tiles the encoder's moments, mean and log-variance together).
    public func latentDistribution(_ image: Tensor, tiling: VAETiling) throws -> DiagonalGaussianDistribution {
        try AutoencoderError.checkImageLike(image, role: "image", channels: config.inChannels, method: "encode")
        let moments = try (0..<image.size(0)).map { i -> Tensor in
            let x = image.sliced(dim: 0, i..<(i + 1))                                   // [1, in, H, W]
            guard x.size(2) > tiling.sampleTile || x.size(3) > tiling.sampleTile else { return try self.moments(x) }
            return try Self.tiled(x, tile: tiling.sampleTile, outputTile: tiling.latentTile,
                                  overlap: tiling.overlapFactor, backend: backend) { try self.moments($0) }  // [1, 2·latent, h, w]
        }
        let joined = moments.count == 1 ? moments[0] : backend.concat(moments, dim: 0)
        return DiagonalGaussianDistribution(moments: joined, backend: backend)
    }

    /// The tiling loop of `tiled_decode` / `_tiled_encode`: input tiles of `tile` (every
    /// `⌊tile · (1 − overlap)⌋`), each through `run` (output tiles of up to `outputTile`), blended in raster
    /// order with the tile above and the tile to the left — each already blended, as diffusers' in-place
    /// `blend_v` / `blend_h` leave them — over `⌊outputTile · overlap⌋` rows / columns, then cropped to
    /// `outputTile − blend` and joined. x: [1, C, H, W].
    static func tiled(_ x: Tensor, tile: Int, outputTile: Int, overlap: Double, backend: any Backend,
                      run: (Tensor) throws -> Tensor) throws -> Tensor {
        let step = Int(Double(tile) * (1 - overlap))
        let blend = Int(Double(outputTile) * overlap)
        let limit = outputTile - blend
        var rows: [[Tensor]] = try VAETiling.starts(x.size(2), step: step).map { i in
            try VAETiling.starts(x.size(3), step: step).map { j in
                let t = x.sliced(dim: 2, i..<min(i + tile, x.size(2))).sliced(dim: 3, j..<min(j + tile, x.size(3)))
                return try run(backend.contiguous(t))                                  // [1, C', ≤ outputTile, ≤ outputTile]
            }
        }
        var joinedRows: [Tensor] = []
        for i in rows.indices {
            var pieces: [Tensor] = []
            for j in rows[i].indices {
                var t = rows[i][j]
                if i > 0 { t = blendEdge(rows[i - 1][j], into: t, dim: 2, extent: blend, backend: backend) }
                if j > 0 { t = blendEdge(rows[i][j - 1], into: t, dim: 3, extent: blend, backend: backend) }
                rows[i][j] = t
                pieces.append(t.sliced(dim: 2, 0..<min(limit, t.size(2))).sliced(dim: 3, 0..<min(limit, t.size(3))))
            }
            joinedRows.append(backend.concat(pieces, dim: 3))
        }
        return backend.concat(joinedRows, dim: 2)
    }

    /// `blend_v` (dim 2) / `blend_h` (dim 3): the first e = min(a, b, extent) lines of b become
    /// a's last e lines · (1 − y/e) + b's · y/e, for y = 0 … e − 1 (weights rounded to f32 as torch
    /// rounds a Python float multiplier; two products and a sum, each rounded).
    static func blendEdge(_ a: Tensor, into b: Tensor, dim: Int, extent: Int, backend: any Backend) -> Tensor {
        let e = min(a.size(dim), b.size(dim), extent)
        guard e > 0 else { return b }
        var rampShape = [1, 1, 1, 1]
        rampShape[dim] = e
        let up = Tensor((0..<e).map { Float(Double($0) / Double(e)) }, shape: rampShape)
        let down = Tensor((0..<e).map { Float(1 - Double($0) / Double(e)) }, shape: rampShape)
        let aEdge = a.sliced(dim: dim, (a.size(dim) - e)..<a.size(dim))
        let bEdge = b.sliced(dim: dim, 0..<e)
        let mixed = backend.add(backend.mul(aEdge, backend.upload(down)), backend.mul(bEdge, backend.upload(up)))
        guard e < b.size(dim) else { return mixed }
        return backend.concat([mixed, b.sliced(dim: dim, e..<b.size(dim))], dim: dim)
    }
}
