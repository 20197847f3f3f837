/// Cache blocking of the f32 GEMM (BLIS loop order). Sizes for Zen 4 (32 KiB L1d, 1 MiB L2 per core,
/// shared L3): a packed B micro-panel (kc × 16) stays in L1 while the A block (mc × kc) streams from L2;
/// the packed B block (kc × nc) lives in L3 and is shared by all threads.
public struct GEMMBlocking: Sendable {
    /// Rows of the micro-tile (fixed by the kernel).
    public static let mr = 6
    /// Columns of the micro-tile (two `SIMD8<Float>`; fixed by the kernel).
    public static let nr = 16

    /// Depth of one packed block (k).
    public var kc: Int
    /// Rows of A per L2 block; a multiple of `mr`.
    public var mc: Int
    /// Columns of B per L3 block; a multiple of `nr`.
    public var nc: Int
    /// Floats of packed B to keep in L2: for narrow B (n < nc) kc grows up to l2BlockFloats / n. 0 disables.
    public var l2BlockFloats: Int
    /// Threads split C by columns when each gets at least this many 16-column panels (see `GEMMPartition`).
    public var minColumnChunkPanels: Int

    public init(kc: Int, mc: Int, nc: Int, l2BlockFloats: Int = 196_608, minColumnChunkPanels: Int = 8) {
        precondition(kc > 0 && mc > 0 && nc > 0, "GEMMBlocking: sizes must be positive (kc \(kc), mc \(mc), nc \(nc))")
        self.kc = kc
        self.mc = (mc + 5) / 6 * 6
        self.nc = (nc + 15) / 16 * 16
        self.l2BlockFloats = l2BlockFloats
        self.minColumnChunkPanels = minColumnChunkPanels
    }


    /// Measured on Zen 4 with `/work/lab-gemm` (4096³ and the UNet shapes).
    public static let zen4 = GEMMBlocking(kc: 512, mc: 144, nc: 384)

    /// The blocking all f32 GEMMs use. Tunable for benchmarking; set it before starting work, not during.
    nonisolated(unsafe) public static var current = zen4
}
