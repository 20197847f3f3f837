import DiffuseCore
/// Cache blocking of the f32 GEMM (see `GEMMDriver`). Sizes for Zen 4 (32 KiB L1d, 1 MiB L2 per core):
/// each thread's packed B block (kc × nc = 512 × 384 floats, 768 KiB) stays in its core's L2, and one A
/// micro-panel (6 × kc, 12 KiB) stays in L1 while the B micro-panels (kc × 16) stream past it. `mc` only
/// sizes the block of A that is packed when A is not k-contiguous (a transposed A).
public struct GEMMBlocking: Sendable {
    /// Rows of the micro-tile (fixed by the kernel).
    public static let mr = 6
    /// Columns of the micro-tile (two `SIMD8<Float>`; fixed by the kernel).
    public static let nr = 16

    /// Depth of one packed block (k).
    public var kc: Int
    /// Rows of A packed at a time (transposed A only); a multiple of `mr`.
    public var mc: Int
    /// Columns of B per packed block; a multiple of `nr`.
    public var nc: Int
    /// Floats of packed B to keep in L2: for very narrow B (n ≤ `deepenMaxColumns`) kc grows up to
    /// l2BlockFloats / n. 0 disables.
    public var l2BlockFloats: Int
    /// Widest B (columns of a thread's rectangle) whose k block is deepened. Attention's PV (n = 40) gains
    /// from it (4096 × 40 × 4096, one core: kc 4096 ≈ 79 GFLOP/s, 2730 ≈ 64, 1365 ≈ 60); convolutions with
    /// n = 128 … 352 lose (1280-channel 8² batch 2, two cores: kc 1536 ≈ 179, 1024 ≈ 184, 512 ≈ 192).
    /// Threads split C by columns when each gets at least this many 16-column panels (see `GEMMPartition`).
    public var minColumnChunkPanels: Int

    public var deepenMaxColumns: Int

    public init(kc: Int, mc: Int, nc: Int, l2BlockFloats: Int = 196_608, minColumnChunkPanels: Int = 8,
                deepenMaxColumns: Int = 64) {
        require(kc > 0 && mc > 0 && nc > 0, "GEMMBlocking: sizes must be positive (kc \(kc), mc \(mc), nc \(nc))")
        self.kc = kc
        self.mc = (mc + 5) / 6 * 6
        self.nc = (nc + 15) / 16 * 16
        self.l2BlockFloats = l2BlockFloats
        self.minColumnChunkPanels = minColumnChunkPanels
        self.deepenMaxColumns = deepenMaxColumns
    }

    /// Chosen on Zen 4 from sweeps of kc ∈ {256 … 768} × nc ∈ {256 … 4096} on 2048³ / 4096³ (differences
    /// of a few % were within the noise of a shared machine; kc 512 × nc 384 was never worse).
    public static let zen4 = GEMMBlocking(kc: 512, mc: 144, nc: 384)

    /// The blocking all f32 GEMMs use. Tunable for benchmarking; set it before starting work, not during.
    nonisolated(unsafe) public static var current = zen4
}
