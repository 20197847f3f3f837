import CDiffuseKernels
import DiffuseCore

/// One bf16 GEMM operand packed once, whole, in the kernel's layout, so calls that reuse it (a weight)
/// pack nothing: for each k block of `kc` (the last may be shorter) all its panels, ⌈lines/width⌉ of
/// [⌈kc/2⌉][width][2]. width 12: an A (rows = lines, e.g. a convolution weight [Cout, Cin·kh·kw]);
/// width 32: a B (columns = lines, e.g. a Linear weight [N, K]). Blocks are found by `block(k0:…)`.
final class BF16PackedMatrix: BF16BlockSource, @unchecked Sendable {
    let width: Int
    let lines: Int
    let depth: Int
    let kc: Int
    private let buffer: UnsafeMutablePointer<UInt16>
    /// Values in the buffer.
    let count: Int

    var packedDepthBlock: Int? { kc }
    var byteCount: Int { count * 2 }
    private var panels: Int { (lines + width - 1) / width }

    /// Packs `source` (lines × depth; its `block` must not depend on the scratch being reused) in k blocks of
    /// `kc` (even), several panels per task on all threads.
    init<Source: BF16BlockSource>(packing source: Source, lines: Int, depth: Int, kc: Int) {
        require(kc > 0 && kc % 2 == 0, "BF16PackedMatrix: kc must be even and positive, got \(kc)")
        width = source.width
        self.lines = lines
        self.depth = depth
        self.kc = kc
        let panels = (lines + width - 1) / width
        // Pairs per line: kc/2 in each full block, ⌈rest/2⌉ in the last one.
        count = max(1, panels * width * 2 * ((depth / kc) * (kc / 2) + (depth % kc + 1) / 2))
        buffer = allocatePacking(UInt16.self, count: count)
        let blocks = (depth + kc - 1) / kc, perTask = 8
        let chunks = (panels + perTask - 1) / perTask
        let box = UncheckedBox((self, source))
        Parallel.forEach(blocks * chunks) { t in
            let (matrix, source) = box.value
            let k0 = (t / chunks) * matrix.kc, kcur = min(matrix.kc, matrix.depth - k0)
            let first = (t % chunks) * perTask * matrix.width
            let count = min(perTask * matrix.width, matrix.lines - first)
            let out = UnsafeMutablePointer(mutating: matrix.block(k0: k0, kc: kcur, j0: first, count: count,
                                                                  scratch: matrix.buffer))
            let packed = source.block(k0: k0, kc: kcur, j0: first, count: count, scratch: out)
            require(packed == UnsafePointer(out), "BF16PackedMatrix: the source must pack into the scratch")
        }
    }

    deinit { freePacking(buffer) }

    /// The panels of lines j0 ..< j0 + count at depth k0 ..< k0 + kc (k0 a multiple of `self.kc`, kc the
    /// block's depth, j0 a multiple of `width`): a pointer into the packed buffer; `scratch` is not used.
    func block(k0: Int, kc: Int, j0: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16> {
        UnsafePointer(pointer(k0: k0, j0: j0))
    }

    private func pointer(k0: Int, j0: Int) -> UnsafeMutablePointer<UInt16> {
        let kcur = min(kc, depth - k0)
        // Full blocks before this one hold kc/2 pairs per panel line.
        return buffer + (k0 / kc) * panels * (kc / 2) * width * 2 + (j0 / width) * ((kcur + 1) / 2) * width * 2
    }
}
