import DiffuseCore

/// The attention calls of the SD 1.5 and SD 2.1 UNets at a given image size, batch 2 (classifier-free
/// guidance): self-attention at each resolution level (and the mid block) and cross-attention over the
/// 77 text tokens.
/// SD 1.5: 8 heads everywhere, head dims 40/80/160; SD 2.1: head dim 64, 5/10/20 heads.
struct AttentionShape: CustomStringConvertible {
    let model: String
    let imageSize: Int
    let level: Int
    let batch: Int
    let heads: Int
    let queries: Int
    let keys: Int
    let headDim: Int

    var isCross: Bool { keys == 77 }
    var flops: Double { 4 * Double(batch * heads) * Double(queries) * Double(keys) * Double(headDim) }
    var description: String {
        "\(batch)x\(heads)x\(queries)x\(keys)x\(headDim)"
    }

    /// Every distinct shape of `model` ("sd15" or "sd21") at `imageSize`² pixels.
    static func unet(_ model: String, imageSize: Int, batch: Int = 2) -> [AttentionShape] {
        let latent = imageSize / 8
        // Levels 0–2 are the cross-attention down/up blocks; level 3 is the mid block (1280 ch at 1/64).
        let channels = [320, 640, 1280, 1280]
        var shapes: [AttentionShape] = []
        for (level, c) in channels.enumerated() {
            let tokens = (latent >> level) * (latent >> level)
            let (heads, dim) = model == "sd15" ? (8, c / 8) : (c / 64, 64)
            for keys in [tokens, 77] {
                shapes.append(AttentionShape(model: model, imageSize: imageSize, level: level, batch: batch,
                                             heads: heads, queries: tokens, keys: keys, headDim: dim))
            }
        }
        return shapes
    }

    /// q, k, v for this shape without allocating it: a broadcast view of one row (unit last stride, as
    /// the kernels require), enough for dispatch decisions.
    func views(dtype: DType) -> (q: Tensor, k: Tensor, v: Tensor) {
        let row = Tensor(zeros: [1, 1, 1, headDim], dtype: dtype)
        return (row.expanded(to: [batch, heads, queries, headDim]), row.expanded(to: [batch, heads, keys, headDim]),
                row.expanded(to: [batch, heads, keys, headDim]))
    }
}
