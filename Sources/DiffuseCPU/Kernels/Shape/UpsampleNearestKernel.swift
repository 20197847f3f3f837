/// Nearest upsampling of any element type to any larger-or-equal or smaller size (the op copies bits,
/// no arithmetic), with torch's legacy `nearest` index rule (aten/src/ATen/native/UpSample.h
/// `nearest_idx`): src = dst when the sizes are equal, dst >> 1 when the output is exactly twice the
/// input, otherwise min(Int(floorf(Float(dst) · scale)), in − 1) with `scale = Float(in) / Float(out)`
/// computed in Float, as torch does for an explicit output size.
/// x: [P, H, W] contiguous (P = N·C planes) → out: [P, OH, OW]. Since the row index is monotone, each
/// source row maps to a contiguous (possibly empty) run of output rows: the first is built from the
/// source row (doubled elements for 2×, a column gather otherwise), the others are copies of it.
/// Source rows split across threads.
enum UpsampleNearestKernel {
    /// torch's source index of output index `dst` for sizes `input` → `output`.
    static func sourceIndex(_ dst: Int, input: Int, output: Int) -> Int {
        if output == input { return dst }
        if output == 2 * input { return dst >> 1 }
        let scale = Float(input) / Float(output)
        return Swift.min(Int((Float(dst) * scale).rounded(.down)), input - 1)
    }

    /// `elementSize` is 2, 4 or 8 bytes. (A concrete entry point: the generic body below is specialised
    /// here, in its own file — see `SIMD16+Memory.swift` on generics across files in debug builds.)
    static func run(_ x: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, elementSize: Int, planes: Int,
                    height: Int, width: Int, outHeight: Int, outWidth: Int) {
        let sizes = Sizes(h: height, w: width, oh: outHeight, ow: outWidth)
        switch elementSize {
        case 2: run(x.assumingMemoryBound(to: UInt16.self), out.assumingMemoryBound(to: UInt16.self), planes, sizes)
        case 4: run(x.assumingMemoryBound(to: UInt32.self), out.assumingMemoryBound(to: UInt32.self), planes, sizes)
        case 8: run(x.assumingMemoryBound(to: UInt64.self), out.assumingMemoryBound(to: UInt64.self), planes, sizes)
        default: fatalError("upsampleNearest: unsupported element size \(elementSize)")
        }
    }

    private struct Sizes { let h, w, oh, ow: Int }

    @inline(__always)
    private static func run<T>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ planes: Int, _ s: Sizes) {
        let (h, w, oh, ow) = (s.h, s.w, s.oh, s.ow)
        // Output rows of source row i: firstRow[i] ..< firstRow[i + 1] (monotone index ⇒ contiguous).
        var firstRow = [Int](repeating: oh, count: h + 1)
        for oy in stride(from: oh - 1, through: 0, by: -1) { firstRow[sourceIndex(oy, input: h, output: oh)] = oy }
        for i in stride(from: h - 1, through: 0, by: -1) { firstRow[i] = Swift.min(firstRow[i], firstRow[i + 1]) }
        let doubled = ow == 2 * w
        let columns = doubled ? [] : (0..<ow).map { sourceIndex($0, input: w, output: ow) }
        firstRow.withUnsafeBufferPointer { firstRow in
            columns.withUnsafeBufferPointer { columns in
                VectorMap.forRows(planes * h, rowLength: ow * Swift.max(1, oh / Swift.max(h, 1))) { rowRange in
                    for r in rowRange {
                        let (p, i) = r.quotientAndRemainder(dividingBy: h)
                        let rows = firstRow[i]..<firstRow[i + 1]
                        guard let first = rows.first else { continue }
                        let src = x + r * w
                        let dst = out + (p * oh + first) * ow
                        if doubled {
                            for j in 0..<w {
                                let v = src[j]
                                dst[2 * j] = v
                                dst[2 * j + 1] = v
                            }
                        } else {
                            for j in 0..<ow { dst[j] = src[columns[j]] }
                        }
                        for k in 1..<rows.count { (dst + k * ow).update(from: dst, count: ow) }
                    }
                }
            }
        }
    }
}
