import DiffuseCore
/// 3×3, stride 1, padding 1 convolution by Winograd's minimal filtering F(m×m, 3×3) (`WinogradVariant`):
/// the same result as the direct convolution up to rounding, with 2.25× (m = 2) or 4× (m = 4) fewer
/// multiplies. Matches `nn.Conv2d(k=3, stride=1, padding=1)` as diffusers' ResNet blocks use it.
///
/// Shapes: x [N, Cin, H, W], weight [Cout, Cin, 3, 3], bias [Cout] or nil, out [N, Cout, H, W]; all
/// contiguous f32; any H, W ≥ 1 (odd sizes: the last tiles are clipped).
///
/// Steps: U = G g Gᵀ (`WinogradWeightTransform`, α² matrices [Cout, Cin], once per call); then, for
/// blocks of tiles (so scratch memory is O(block), not O(image) · α²):
///   1. V_ξ [Cin, tiles] = Bᵀ d B        (`WinogradInputTransform`, input-channel ranges in parallel)
///   2. M_ξ [Cout, tiles] = U_ξ · V_ξ     (α² GEMMs through `GEMMDriver.runRectangle`, one task pool)
///   3. out = Aᵀ M A + bias              (`WinogradOutputTransform`, output-channel ranges in parallel)
enum WinogradConv {
    /// Bytes of V and M scratch per block: sets the tiles per block (between `minBlockTiles` and
    /// `maxBlockTiles`). Tunable for benchmarking.
    nonisolated(unsafe) static var blockBudgetBytes = 16 << 20
    static let minBlockTiles = 96
    static let maxBlockTiles = 768

    static func run(_ g: ConvGeometry, variant: WinogradVariant, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        require(g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1,
                "WinogradConv: needs a 3×3 kernel, stride 1, padding 1 (got \(g.kernelHeight)×\(g.kernelWidth), stride \(g.stride), padding \(g.padding))")
        let cin = g.inChannels, cout = g.outChannels
        let tiling = WinogradTiling(m: variant.m, images: g.images, height: g.height, width: g.width)
        let tiles = tiling.tiles
        if tiles == 0 || cout == 0 { return }
        let area = variant.alpha * variant.alpha

        let u = allocatePacking(Float.self, count: area * cout * cin)
        defer { freePacking(u) }
        WinogradWeightTransform.run(variant, weight: weight, outChannels: cout, inChannels: cin, u: u)

        let blockTiles = blockSize(tiles: tiles, area: area, cin: cin, cout: cout)
        // Room for the 8-lane vectors the transforms read and write past a block's last tile.
        let ld = (blockTiles + 15) / 16 * 16 + 16
        let v = allocatePacking(Float.self, count: area * cin * ld)
        defer { freePacking(v) }
        let mm = allocatePacking(Float.self, count: area * cout * ld)
        defer { freePacking(mm) }

        let threads = Parallel.threadCount
        let blocking = GEMMBlocking.current
        for start in stride(from: 0, to: tiles, by: blockTiles) {
            let block = start ..< min(tiles, start + blockTiles)
            // 1. V_ξ [Cin, block]
            Parallel.forRanges(cin, grain: 4, oversubscribe: 2) { channels in
                WinogradInputTransform.run(variant, tiling: tiling, x: x, inChannels: cin, block: block,
                                           channels: channels, v: v, ld: ld)
            }
            // 2. M_ξ [Cout, block] = U_ξ [Cout, Cin] · V_ξ [Cin, block]: α² problems, each cut into enough
            // rectangles that every thread gets about two tasks.
            let parts = threads > 1 ? max(1, (2 * threads + area - 1) / area) : 1
            let partition = GEMMPartition(m: cout, n: block.count, mr: GEMMBlocking.mr, nr: GEMMBlocking.nr,
                                          nc: blocking.nc, threads: parts,
                                          minColumnChunkPanels: blocking.minColumnChunkPanels)
            let perProblem = partition.count
            Parallel.forEach(area * perProblem) { task in
                let xi = task / perProblem
                let (rows, columns) = partition.rectangle(task % perProblem)
                if rows.isEmpty || columns.isEmpty { return }
                GEMMDriver.runRectangle(rows: rows, columns: columns, k: cin, alpha: 1,
                                        a: StridedMatrix(base: u + xi * cout * cin, rowStride: cin, columnStride: 1),
                                        b: StridedMatrix(base: v + xi * cin * ld, rowStride: ld, columnStride: 1),
                                        beta: 0, c: OutputMatrix(base: mm + xi * cout * ld, ld: ld),
                                        blocking: blocking)
            }
            // 3. out += Aᵀ M A + bias
            Parallel.forRanges(cout, grain: 4, oversubscribe: 2) { channels in
                WinogradOutputTransform.run(variant, tiling: tiling, mm: mm, outChannels: cout, block: block,
                                            channels: channels, ld: ld, bias: bias, out: out)
            }
        }
    }

    /// Tiles per block: V and M (α² · (Cin + Cout) floats per tile) within `blockBudgetBytes`, clamped,
    /// then evened out over the blocks and rounded up to whole 16-column GEMM panels.
    static func blockSize(tiles: Int, area: Int, cin: Int, cout: Int) -> Int {
        let perTile = area * (cin + cout) * MemoryLayout<Float>.size
        let target = min(maxBlockTiles, max(minBlockTiles, blockBudgetBytes / max(1, perTile)))
        let blocks = (tiles + target - 1) / target
        let even = (tiles + blocks - 1) / blocks
        return min((even + 15) / 16 * 16, max(16, (tiles + 15) / 16 * 16))
    }
}
