import DiffuseCore

extension Backend {
    /// x [1, ...] → [n, ...] (`x.repeat(n, 1, …)`, how diffusers expands one prompt's embeddings to
    /// `num_images_per_prompt`).
    func repeatBatch(_ x: Tensor, _ n: Int) -> Tensor {
        n == 1 ? contiguous(x) : concat(Array(repeating: x, count: n), dim: 0)
    }
}
