import DiffuseCore
/// 3×3, stride 1, padding 1 convolution by Winograd's minimal filtering F(m×m, 3×3) (`WinogradVariant`):
/// the same result as the direct convolution up to rounding, with 2.25× (m = 2) or 4× (m = 4) fewer
/// multiplies. Matches `nn.Conv2d(k=3, stride=1, padding=1)` as diffusers' ResNet blocks use it.
///
/// Shapes: x [N, Cin, H, W], weight [Cout, Cin, 3, 3], bias [Cout] or nil, out [N, Cout, H, W]; all
/// contiguous f32; any H, W ≥ 1 (odd sizes: the last tiles are clipped).
///
/// Steps: U = G g Gᵀ (`WinogradWeightTransform`, α² matrices [Cout, Cin]; once per call, or once per weight
/// through `WinogradWeightCache` for calls of fewer than `cacheBelowTiles` tiles); then, for
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

    /// Calls with fewer tiles than this take the transformed weight from `WinogradWeightCache` (keyed by
    /// `weightTensor`): there the transform costs a large share of the call (1280² weights, F(2×2) at 16²,
    /// batch 1: 35–70 ms of transform against ≈ 70 ms of GEMMs, busy machine; its cost per call is that of
    /// ≈ 40 tiles' GEMMs, F(2×2) or F(4×4) alike).
    nonisolated(unsafe) static var cacheBelowTiles = 1024

    /// `weight`: [Cout, Cin·9], f32 or 16-bit (read through conversion by the transform). `weightTensor`: the
    /// caller's f32 weight identifying `weight` for the cache (nil: not cached).
    /// With `cachedWeightsOnly`, computes nothing and returns false unless the transformed weight is (or now
    /// gets) cached; otherwise returns true.
    @discardableResult
    static func run(_ g: ConvGeometry, variant: WinogradVariant, x: UnsafePointer<Float>, weight: GEMMOperand,
                    weightTensor: Tensor? = nil, cachedWeightsOnly: Bool = false, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>) -> Bool {
        require(g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1,
                "WinogradConv: needs a 3×3 kernel, stride 1, padding 1 (got \(g.kernelHeight)×\(g.kernelWidth), stride \(g.stride), padding \(g.padding))")
        let cin = g.inChannels, cout = g.outChannels
        let tiling = WinogradTiling(m: variant.m, images: g.images, height: g.height, width: g.width)
        let tiles = tiling.tiles
        if tiles == 0 || cout == 0 { return true }
        let area = variant.alpha * variant.alpha

        // U: cached, or transformed into scratch for this call.
        var cached: WinogradWeightCache.Entry? = nil
        if tiles < cacheBelowTiles || cachedWeightsOnly, let weightTensor, case .f32(let w) = weight {
            cached = WinogradWeightCache.shared.transformed(weightTensor, f32: w.base, variant: variant)
        }
        if cachedWeightsOnly && cached == nil { return false }
        let pool = WinogradScratchPool.shared
        let scratchU = cached == nil ? pool.take(area * cout * cin) : nil
        defer { if let scratchU { pool.give(scratchU) } }
        if let scratchU {
            WinogradWeightTransform.run(variant, weight: weight, outChannels: cout, inChannels: cin, u: scratchU.pointer)
        }
        let u = UnsafePointer(cached?.u ?? scratchU!.pointer)

        let blockTiles = blockSize(tiles: tiles, area: area, cin: cin, cout: cout)
        // Room for the 8-lane vectors the transforms read and write past a block's last tile.
        let ld = (blockTiles + 15) / 16 * 16 + 16
        let vBuffer = pool.take(area * cin * ld), mBuffer = pool.take(area * cout * ld)
        defer { pool.give(vBuffer); pool.give(mBuffer) }
        let v = vBuffer.pointer, mm = mBuffer.pointer

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
        withExtendedLifetime(cached) {}
        return true
    }

    /// Memory for `WinogradScratchPool` and `WinogradWeightCache` from `HostAllocator`: 2 MiB pages for
    /// large blocks (their first touch costs ≈ 6× less than 4 KiB pages, see there), counted in its live
    /// and peak bytes, and persistent: outside a compiled replay's arena (the pool and the cache outlive
    /// the call; see `HostAllocator.allocatePersistent`).
    static func allocateScratch(_ count: Int) -> UnsafeMutablePointer<Float> {
        HostAllocator.allocatePersistent(byteCount: count * MemoryLayout<Float>.size)
            .bindMemory(to: Float.self, capacity: count)
    }

    static func freeScratch(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        HostAllocator.deallocatePersistent(UnsafeMutableRawPointer(pointer), byteCount: count * MemoryLayout<Float>.size)
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

