import CDiffuseKernels
import DiffuseCore

/// The blocked, threaded bf16 GEMM (AVX512-BF16): C[m, n] (f32) = alpha · A[m, k] · B[k, n] + beta · C
/// (+ rowBias[i] on row i), A and B from `BF16BlockSource`s, 12 × 32 micro-kernel and packing in C
/// (CDiffuseKernels/bf16_gemm.c, bf16_pack.c). Several problems may share A (a convolution's images): their
/// rectangles form one pool of tasks.
///
/// Threads: C is cut into `threads · tasksPerThread` rectangles (`GEMMPartition`), handed out dynamically so
/// a core slowed by other work gives its second rectangle to the other one. The cut avoids packing the same
/// data twice: when B is packed per call (the convolution's im2col) wide B is cut by columns, each task packing
/// only its own columns; when B is pre-packed (a cached Linear weight) C is cut by rows whenever there are
/// enough of them, so each task rounds and packs only its own rows of A and both cores read the one shared B.
///
/// Loops per rectangle, B packed per call: nc-wide column blocks → kc-deep slices (B block of kc × nc,
/// 384 KiB: L2) → mc-row blocks of A → for each 12-row A micro-panel (L1), every 32-column B micro-panel of
/// the block. B pre-packed: mc-row blocks (A packed once, all of k) → `prepackedNC`-wide column blocks → kc slices
/// (B block read in place) → the macro-kernel: A is packed exactly once whatever n is, and each C block
/// stays in L2 while it is accumulated over k.
enum BF16Driver {
    static func run<A: BF16BlockSource, B: BF16BlockSource>(
        m: Int, n: Int, k: Int, alpha: Float, a: A, problems: [(b: B, c: OutputMatrix)], beta: Float,
        rowBias: UnsafePointer<Float>? = nil, threads: Int, blocking: GEMMBlocking,
        tasksPerThread: Int = GEMMDriver.tasksPerThread
    ) {
        if m <= 0 || n <= 0 || problems.isEmpty { return }
        if k <= 0 || alpha == 0 {
            for problem in problems {
                GEMMDriver.scale(problem.c, m: m, n: n, by: beta)
                if let rowBias { for i in 0..<m { for j in 0..<n { problem.c.base[i * problem.c.ld + j] += rowBias[i] } } }
            }
            return
        }
        let mr = Int(DIFFUSE_BF16_MR), nr = Int(DIFFUSE_BF16_NR)
        let macs = Double(m) * Double(n) * Double(k) * Double(problems.count)
        let threads = macs < Double(singleThreadBelowMACs) ? 1 : threads
        let bPrepacked = problems[0].b.packedDepthBlock != nil, aPrepacked = a.packedDepthBlock != nil
        // Row chunks whenever B costs nothing to share (see above); otherwise the f32 driver's rule.
        let minColumnPanels = bPrepacked && !aPrepacked ? 1 << 40 : blocking.minColumnChunkPanels
        let partition = GEMMPartition(m: m, n: n, mr: mr, nr: nr, nc: blocking.nc,
                                      threads: threads > 1 ? threads * max(1, tasksPerThread) : 1,
                                      minColumnChunkPanels: minColumnPanels)
        let perProblem = partition.count
        GEMMDriver.runTasks(perProblem * problems.count, threads: threads) { t in
            let problem = problems[t / perProblem]
            let (rows, columns) = partition.rectangle(t % perProblem)
            runRectangle(rows: rows, columns: columns, k: k, alpha: alpha, a: a, b: problem.b, beta: beta,
                         c: problem.c, rowBias: rowBias, blocking: blocking)
        }
    }

    /// Problems smaller than this many multiply-adds (≈ 10 µs on one core) run on the calling thread: the
    /// UNet's time-embedding projections (M = 2) took milliseconds each on a busy machine waiting for a
    /// worker thread to wake up.
    nonisolated(unsafe) static var singleThreadBelowMACs = 1 << 21

    /// Columns of a C block when B is pre-packed: the block (mc × 512 floats), the B block (kc × 512 bf16)
    /// and the A micro-panels share the 1 MiB L2.
    nonisolated(unsafe) static var prepackedNC = 512

    /// C[rows, columns] on the calling thread (rows start at a multiple of 12, columns at a multiple of 32).
    static func runRectangle<A: BF16BlockSource, B: BF16BlockSource>(
        rows: Range<Int>, columns: Range<Int>, k: Int, alpha: Float, a: A, b: B, beta: Float, c: OutputMatrix,
        rowBias: UnsafePointer<Float>?, blocking: GEMMBlocking
    ) {
        if rows.isEmpty || columns.isEmpty { return }
        let mr = Int(DIFFUSE_BF16_MR), nr = Int(DIFFUSE_BF16_NR)
        let packedKC = a.packedDepthBlock ?? b.packedDepthBlock
        require(a.packedDepthBlock == nil || b.packedDepthBlock == nil || a.packedDepthBlock == b.packedDepthBlock,
                "BF16Driver: pre-packed operands with different k blocks")
        let kcStep = packedKC ?? (blocking.kc + 1) / 2 * 2
        let mcStep = (blocking.mc + mr - 1) / mr * mr, ncStep = (blocking.nc + nr - 1) / nr * nr
        let kpMax = (min(kcStep, k) + 1) / 2
        let mcMax = min(mcStep, (rows.count + mr - 1) / mr * mr)
        let ncMax = min(ncStep, (columns.count + nr - 1) / nr * nr)
        // A packed per call: one kc block of mc rows, or (B pre-packed) all of k for mc rows.
        let aDepth = b.packedDepthBlock != nil ? (k / kcStep) * kcStep + (k % kcStep + 1) / 2 * 2 : 2 * kpMax
        let aScratch = allocatePacking(UInt16.self, count: a.packedDepthBlock == nil ? aDepth * mcMax : 1)
        defer { freePacking(aScratch) }
        let bScratch = allocatePacking(UInt16.self, count: b.packedDepthBlock == nil ? 2 * kpMax * ncMax : 1)
        defer { freePacking(bScratch) }

        @inline(__always)
        func macro(_ ic: Int, _ mcur: Int, _ jc: Int, _ ncur: Int, _ pc: Int, _ kcur: Int,
                   _ pa: UnsafePointer<UInt16>, _ pb: UnsafePointer<UInt16>) {
            diffuse_bf16_macro_kernel(Int32(mcur), Int32(ncur), Int32(kcur), pa, pb, c.base + ic * c.ld + jc, c.ld,
                                      alpha, pc == 0 ? beta : 1, pc == 0 ? rowBias.map { $0 + ic } : nil)
        }

        if b.packedDepthBlock != nil && a.packedDepthBlock == nil {
            // B pre-packed: A rows packed once at every depth, then each C block (mc × nc, L2) is finished
            // over all k before the next, so C is never re-read from memory.
            let depthOffsets = Array(stride(from: 0, to: k, by: kcStep)).map { pc in
                (pc: pc, kc: min(kcStep, k - pc), offset: pc * mcMax)
            }
            let ncBlock = min(ncStep, Self.prepackedNC)
            for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mcStep) {
                let mcur = min(mcStep, rows.upperBound - ic)
                let blocksA = depthOffsets.map { d in
                    a.block(k0: d.pc, kc: d.kc, j0: ic, count: mcur, scratch: aScratch + d.offset)
                }
                for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: ncBlock) {
                    let ncur = min(ncBlock, columns.upperBound - jc)
                    for (d, pa) in zip(depthOffsets, blocksA) {
                        let pb = b.block(k0: d.pc, kc: d.kc, j0: jc, count: ncur, scratch: bScratch)
                        macro(ic, mcur, jc, ncur, d.pc, d.kc, pa, pb)
                    }
                }
            }
        } else {
            for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: ncStep) {
                let ncur = min(ncStep, columns.upperBound - jc)
                for pc in stride(from: 0, to: k, by: kcStep) {
                    let kcur = min(kcStep, k - pc)
                    let pb = b.block(k0: pc, kc: kcur, j0: jc, count: ncur, scratch: bScratch)
                    for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mcStep) {
                        let mcur = min(mcStep, rows.upperBound - ic)
                        let pa = a.block(k0: pc, kc: kcur, j0: ic, count: mcur, scratch: aScratch)
                        macro(ic, mcur, jc, ncur, pc, kcur, pa, pb)
                    }
                }
            }
        }
    }
}
