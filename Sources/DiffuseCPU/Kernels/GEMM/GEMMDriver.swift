import DiffuseCore
import CDiffuseKernels

/// The blocked, multithreaded f32 GEMM (BLIS loops) shared by `GEMM.sgemm` and the convolution.
///
/// Shapes: C[m, n] = alpha · A[m, k] · B[k, n] + beta · C[m, n]; A any strides, B any `GEMMPanelSource`,
/// C row-major with row stride c.ld. beta = 0 never reads C (NaNs in C do not leak). `rowBias` (alpha = 1 only;
/// the convolution's bias) adds rowBias[i] to row i of C: it seeds the accumulators of the first k block, so
/// no separate pass over C is needed.
///
/// Threads: C is cut into rectangles (`GEMMPartition`: column chunks of about nc when B is wide, else row
/// chunks; `tasksPerThread` of them per thread), handed out dynamically; each task runs the whole blocked
/// loop on its rectangle with its own packed B, so threads never wait on each other until the end and
/// each core keeps its B block in its L2.
/// Loops per rectangle: nc-wide column blocks → kc-deep slices (pack B) → mc-row blocks (pack A only when
/// it is not k-contiguous; a k-contiguous A is read in place, measured faster at small N) → for each
/// 6-row A micro-panel (in L1), every 16-column B micro-panel of the block (streamed from L2).
/// Exception: a large problem on one thread (≥ 96 × 1024 × 256) packs A and uses the classic BLIS order
/// (`runRectanglePackedA`), a few % faster on 4096³ (A at a power-of-two row stride conflicts in the caches).
/// Plain-matrix callers (`GEMM.sgemm`, `CPUBackend.matmul`) enter through `runMatrix`, which computes a
/// small-M product against a k-contiguous B transposed (GEMMDriver+SmallM.swift).
enum GEMMDriver {
    static func run<Rows: GEMMRowSource, Source: GEMMPanelSource>(m: Int, n: Int, k: Int, alpha: Float, a: Rows,
                                                                b: Source,
                                             beta: Float, c: OutputMatrix, threads: Int,
                                             rowBias: UnsafePointer<Float>? = nil,
                                             blocking: GEMMBlocking = GEMMBlocking.current) {
        if m <= 0 || n <= 0 { return }
        require(rowBias == nil || alpha == 1, "GEMMDriver: rowBias needs alpha = 1")
        if k <= 0 || alpha == 0 {
            scale(c, m: m, n: n, by: beta)
            if let rowBias { for i in 0..<m { for j in 0..<n { c.base[i * c.ld + j] += rowBias[i] } } }
            return
        }
        if threads == 1 && rowBias == nil && GEMMDriver.packedAForLarge && m >= 96 && n >= 1024 && k >= 256 {
            runRectanglePackedA(rows: 0 ..< m, columns: 0 ..< n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c,
                                blocking: largeBlocking)
            return
        }
        let partition = GEMMPartition(m: m, n: n, mr: GEMMBlocking.mr, nr: GEMMBlocking.nr, nc: blocking.nc,
                                      threads: threads > 1 ? threads * max(1, tasksPerThread) : 1,
                                      minColumnChunkPanels: blocking.minColumnChunkPanels)
        runTasks(partition.count, threads: threads) { t in
            let (rows, columns) = partition.rectangle(t)
            runRectangle(rows: rows, columns: columns, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c,
                         rowBias: rowBias, blocking: blocking)
        }
    }

    /// Several problems C_i = A · B_i (+ rowBias) sharing A (a convolution's images), run as one pool of
    /// rectangles: each problem is cut for `threads · tasksPerThread` threads, so a core slowed by other work
    /// hands rectangles to the other one, and the images do not wait for each other at a barrier.
    static func runShared<Rows: GEMMRowSource, Source: GEMMPanelSource>(m: Int, n: Int, k: Int, a: Rows,
                                                   problems: [(b: Source, c: OutputMatrix)],
                                                   rowBias: UnsafePointer<Float>?, threads: Int,
                                                   tasksPerThread: Int = 2,
                                                   blocking: GEMMBlocking = GEMMBlocking.current) {
        if m <= 0 || n <= 0 || problems.isEmpty { return }
        if k <= 0 || threads <= 1 {
            for problem in problems {
                run(m: m, n: n, k: k, alpha: 1, a: a, b: problem.b, beta: 0, c: problem.c, threads: threads,
                    rowBias: rowBias, blocking: blocking)
            }
            return
        }
        let partition = GEMMPartition(m: m, n: n, mr: GEMMBlocking.mr, nr: GEMMBlocking.nr, nc: blocking.nc,
                                      threads: threads * max(1, tasksPerThread),
                                      minColumnChunkPanels: blocking.minColumnChunkPanels)
        let perProblem = partition.count
        runTasks(perProblem * problems.count, threads: threads) { t in
            let problem = problems[t / perProblem]
            let (rows, columns) = partition.rectangle(t % perProblem)
            runRectangle(rows: rows, columns: columns, k: k, alpha: 1, a: a, b: problem.b, beta: 0, c: problem.c,
                         rowBias: rowBias, blocking: blocking)
        }
    }

    /// C[rows, columns] on the calling thread.
    static func runRectangle<Rows: GEMMRowSource, Source: GEMMPanelSource>(
        rows: Range<Int>, columns: Range<Int>, k: Int, alpha: Float, a: Rows, b: Source, beta: Float, c: OutputMatrix,
                                                      rowBias: UnsafePointer<Float>? = nil, blocking: GEMMBlocking) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        let n = columns.count, m = rows.count
        let ncMax = min(blocking.nc, (n + nr - 1) / nr * nr)
        // Very narrow B (attention's PV): deepen the k block so the packed block still fills L2 (768 KiB of
        // 1 MiB on Zen 4). Each A row is then read in one long run the hardware prefetcher follows
        // (4096 × 48 × 4096: 62 → 90 GFLOP/s on one core). Not for wider B (convolutions, n ≥ 128): there
        // the deeper B block and C no longer share L2 and it is slower (see `GEMMBlocking`).
        let kcStep = ncMax <= blocking.deepenMaxColumns
            ? max(blocking.kc, min(k, blocking.l2BlockFloats / ncMax)) : blocking.kc
        let kcMax = min(kcStep, k)
        let mcMax = min(blocking.mc, (m + mr - 1) / mr * mr)
        let inPlaceA = a.inPlace, packsA = inPlaceA == nil

        let bBlock = allocatePacking(Float.self, count: kcMax * ncMax)
        defer { freePacking(bBlock) }
        let aBlock = allocatePacking(Float.self, count: packsA ? mcMax * kcMax : 1)
        defer { freePacking(aBlock) }

        for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: blocking.nc) {
            let ncur = min(blocking.nc, columns.upperBound - jc)
            let panels = 0 ..< (ncur + nr - 1) / nr
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kcur = min(kcStep, k - pc)
                b.packPanels(into: bBlock, k0: pc, kc: kcur, j0: jc, nc: ncur)
                for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: blocking.mc) {
                    let mcur = min(blocking.mc, rows.upperBound - ic)
                    if packsA { a.packRows(into: aBlock, i0: ic, mc: mcur, k0: pc, kc: kcur) }
                    macroKernel(rows: ic ..< ic + mcur, panels: panels, kc: kcur, k0: pc,
                                a: inPlaceA, packedA: packsA ? UnsafePointer(aBlock) : nil,
                                bBlock: bBlock, j0: jc, nEnd: jc + ncur, c: c, alpha: alpha,
                                beta: pc == 0 ? beta : 1, rowBias: pc == 0 ? rowBias : nil)
                }
            }
        }
    }

    /// Rectangles per thread of a multithreaded `run`. One per thread left a core idle whenever the other
    /// was slowed by other work (the UNet's Linear layers at 256², M 256 × 640 × 640 and 1024 × 320 × 320,
    /// cut in two column chunks, ran at half the rate of wider ones on a busy machine); two let the free
    /// core take the slow one's second rectangle, as the convolution does (`ConvKernel.tasksPerThread`).
    nonisolated(unsafe) static var tasksPerThread = 2

    /// Single-threaded problems of at least 96 × 1024 × 256 take `runRectanglePackedA`.
    nonisolated(unsafe) static var packedAForLarge = true
    /// Its blocking: A block 384 × 384 (576 KiB, L2), B micro-panel 384 × 16 (24 KiB, L1), B block up to
    /// 384 × 4096 (6 MiB, L3). Chosen from kc × mc ∈ {256, 320, 384} × {144 … 576} on 4096³ (one core,
    /// CPU-clock timed, A/B in one process on a shared machine): all within ≈ 3 % of each other.
    nonisolated(unsafe) static var largeBlocking = GEMMBlocking(kc: 384, mc: 384, nc: 4096)

    /// C[rows, columns] with the classic BLIS order, for large single-threaded problems: B packed in a
    /// kc × nc block (L3), A packed in an mc × kc block of 6-row micro-panels (L2), then for each 16-column B
    /// micro-panel (kc × 16, kept in L1) every A micro-panel of the block (streamed from L2). Per k step the
    /// kernel then streams 6 floats of A from L2 instead of 16 of B, and A no longer sits in place at a
    /// power-of-two row stride (which maps many rows onto the same L1/L2 sets). The C tiles are then visited
    /// down a column of tiles, which no hardware prefetcher follows: each tile prefetches the next one's
    /// rows (without that this order ran at ≈ 83 GFLOP/s; with it ≈ 92–95 against ≈ 87–93 for the
    /// in-place-A order on 4096³, one core, same runs).
    static func runRectanglePackedA<Rows: GEMMRowSource, Source: GEMMPanelSource>(
        rows: Range<Int>, columns: Range<Int>, k: Int, alpha: Float, a: Rows, b: Source, beta: Float,
                                                             c: OutputMatrix, blocking: GEMMBlocking) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        let kcStep = blocking.kc, mcStep = blocking.mc, ncStep = blocking.nc
        let kcMax = min(kcStep, k)
        let ncMax = min(ncStep, (columns.count + nr - 1) / nr * nr)
        let mcMax = min(mcStep, (rows.count + mr - 1) / mr * mr)
        let bBlock = allocatePacking(Float.self, count: kcMax * ncMax)
        defer { freePacking(bBlock) }
        let aBlock = allocatePacking(Float.self, count: mcMax * kcMax)
        defer { freePacking(aBlock) }
        for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: ncStep) {
            let ncur = min(ncStep, columns.upperBound - jc)
            let panels = (ncur + nr - 1) / nr
            for pc in stride(from: 0, to: k, by: kcStep) {
                let kcur = min(kcStep, k - pc)
                b.packPanels(into: bBlock, k0: pc, kc: kcur, j0: jc, nc: ncur)
                let betaNow = pc == 0 ? beta : 1
                for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mcStep) {
                    let mcur = min(mcStep, rows.upperBound - ic)
                    a.packRows(into: aBlock, i0: ic, mc: mcur, k0: pc, kc: kcur)
                    for q in 0..<panels {
                        let panel = bBlock + q * kcur * 16
                        let j = jc + q * 16
                        let width = min(16, jc + ncur - j)
                        var i = ic, p = UnsafePointer(aBlock)
                        while i < ic + mcur {
                            let height = min(6, ic + mcur - i)
                            let rowsA = (p, p + 1, p + 2, p + 3, p + 4, p + 5)
                            // The next tile's C rows (6 lines far apart: no hardware prefetcher follows them).
                            let ni = i + 6 < ic + mcur ? i + 6 : ic, nj = i + 6 < ic + mcur ? j : j + 16
                            if nj < jc + ncur {
                                for r in 0..<min(6, ic + mcur - ni) {
                                    let row = c.base + (ni + r) * c.ld + nj
                                    diffuse_prefetch(row)
                                    diffuse_prefetch(row + min(16, jc + ncur - nj) - 1)
                                }
                            }
                            if width > 8 {
                                gemmTile(k: kcur, a: rowsA, aStep: 6, b: panel, c: c.base + i * c.ld + j,
                                                ldc: c.ld, m: height, n: width, alpha: alpha, beta: betaNow)
                            } else {
                                gemmTile(k: kcur, a: rowsA, aStep: 6, b: panel, c: c.base + i * c.ld + j,
                                                ldc: c.ld, m: height, n: width, alpha: alpha, beta: betaNow,
                                                halfWidth: true)
                            }
                            p += kcur * 6
                            i += 6
                        }
                    }
                }
            }
        }
    }

    /// Runs `tasks` tasks, on the calling thread alone when `threads` is 1.
    @inline(__always)
    static func runTasks(_ tasks: Int, threads: Int, _ body: (Int) -> Void) {
        if threads == 1 || tasks == 1 {
            for t in 0..<tasks { body(t) }
        } else {
            Parallel.forEach(tasks, body)
        }
    }

    /// One block: rows × column panels of C from A (packed block, or `a` read in place) and the packed B block.
    @inline(__always)
    static func macroKernel(rows: Range<Int>, panels: Range<Int>, kc: Int, k0: Int,
                            a: StridedMatrix?, packedA: UnsafePointer<Float>?,
                            bBlock: UnsafePointer<Float>, j0: Int, nEnd: Int,
                            c: OutputMatrix, alpha: Float, beta: Float, rowBias: UnsafePointer<Float>? = nil) {
        var i = rows.lowerBound
        while i < rows.upperBound {
            let height = min(6, rows.upperBound - i)
            // An in-place A micro-panel comes from memory: fetch the next one while this one computes,
            // a share of its cache lines per column panel.
            let next = i + 6, nextHeight = packedA == nil ? min(6, rows.upperBound - next) : 0
            let linesPerRow = (kc + 15) / 16
            let perPanel = nextHeight > 0 ? (nextHeight * linesPerRow + panels.count - 1) / panels.count : 0
            var prefetchRow = 0, prefetchLine = 0
            for q in panels {
                var issued = 0
                while issued < perPanel && prefetchRow < nextHeight {
                    diffuse_prefetch(a!.pointer(next + prefetchRow, k0) + prefetchLine * 16)
                    issued += 1
                    prefetchLine += 1
                    if prefetchLine == linesPerRow { prefetchLine = 0; prefetchRow += 1 }
                }
                let panel = bBlock + q * kc * 16
                let j = j0 + q * 16
                let width = min(16, nEnd - j)
                let rowsA: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)
                let step: Int
                if let packedA {
                    let p = packedA + (i - rows.lowerBound) * kc
                    rowsA = (p, p + 1, p + 2, p + 3, p + 4, p + 5)
                    step = 6
                } else {
                    let a = a!, last = height - 1
                    rowsA = (a.pointer(i, k0), a.pointer(i + min(1, last), k0), a.pointer(i + min(2, last), k0),
                             a.pointer(i + min(3, last), k0), a.pointer(i + min(4, last), k0),
                             a.pointer(i + min(5, last), k0))
                    step = 1
                }
                if width > 8 {
                    gemmTile(k: kc, a: rowsA, aStep: step, b: panel, c: c.base + i * c.ld + j, ldc: c.ld,
                                    m: height, n: width, alpha: alpha, beta: beta, bias: rowBias.map { $0 + i })
                } else {
                    gemmTile(k: kc, a: rowsA, aStep: step, b: panel, c: c.base + i * c.ld + j, ldc: c.ld,
                                    m: height, n: width, alpha: alpha, beta: beta, bias: rowBias.map { $0 + i },
                                    halfWidth: true)
                }
            }
            i += 6
        }
    }

    /// C = beta · C (beta = 0 writes zeros without reading).
    static func scale(_ c: OutputMatrix, m: Int, n: Int, by beta: Float) {
        for i in 0..<m {
            let row = c.base + i * c.ld
            if beta == 0 { row.update(repeating: 0, count: n) }
            else if beta != 1 { for j in 0..<n { row[j] *= beta } }
        }
    }
}

/// Alignment of the packing buffers. malloc gives 16 bytes, so a packed B row of 16 floats (64 bytes; the bf16
/// kernel's rows are 64 bytes too) would straddle two cache lines and every other vector load would be split.
nonisolated(unsafe) var packingAlignment = 64

/// A packing buffer of `count` elements aligned to `packingAlignment`; release it with `freePacking`.
func allocatePacking<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<T>.stride, alignment: packingAlignment)
        .bindMemory(to: T.self, capacity: max(1, count))
}

func freePacking<T>(_ pointer: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(pointer).deallocate()
}
