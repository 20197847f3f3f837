/// Nearest 2× upsampling of any element type (the op copies bits, no arithmetic).
/// x: [P, H, W] contiguous (P = N·C planes) → out: [P, 2H, 2W]. Each source row becomes one output row
/// of doubled elements, which is then copied below itself. Rows split across threads.
enum UpsampleNearestKernel {
    /// `elementSize` is 2, 4 or 8 bytes. (A concrete entry point: the generic body below is specialised
    /// here, in its own file — see `SIMD16+Memory.swift` on generics across files in debug builds.)
    static func run(_ x: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, elementSize: Int, planes: Int, height: Int, width: Int) {
        switch elementSize {
        case 2: run(x.assumingMemoryBound(to: UInt16.self), out.assumingMemoryBound(to: UInt16.self), planes, height, width)
        case 4: run(x.assumingMemoryBound(to: UInt32.self), out.assumingMemoryBound(to: UInt32.self), planes, height, width)
        case 8: run(x.assumingMemoryBound(to: UInt64.self), out.assumingMemoryBound(to: UInt64.self), planes, height, width)
        default: fatalError("upsampleNearest2x: unsupported element size \(elementSize)")
        }
    }

    @inline(__always)
    private static func run<T>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ planes: Int, _ h: Int, _ w: Int) {
        VectorMap.forRows(planes * h, rowLength: 4 * w) { rowRange in
            for r in rowRange {
                let src = x + r * w
                let dst = out + 4 * w * r // output rows 2r and 2r + 1 (plane p's row i is r = p·H + i)
                for j in 0..<w {
                    let v = src[j]
                    dst[2 * j] = v
                    dst[2 * j + 1] = v
                }
                (dst + 2 * w).update(from: dst, count: 2 * w)
            }
        }
    }
}
