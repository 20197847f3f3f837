/// NCHW convolution through the GEMM driver.
///
/// Shapes: x [N, Cin, H, W], weight [Cout, Cin·kh·kw] (OIHW flattened), bias [Cout] or nil,
/// out [N, Cout, Hout, Wout]; all contiguous f32.
enum ConvKernel {
    /// Below this many output pixels per image, all images share one GEMM (N = images · pixels).
    static let batchedBelowPixels = 256

    static func run(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        let threads = Parallel.threadCount
        let a = StridedMatrix(base: weight, rowStride: g.depth, columnStride: 1)
        let pixels = g.outPixels
        if g.images == 0 || g.outChannels == 0 || pixels == 0 { return }

        if g.images == 1 || pixels >= batchedBelowPixels {
            // One GEMM per image, written in place: out[n] = W · im2col(x[n]) (+ bias, added by the kernel).
            for n in 0..<g.images {
                let c = out + n * g.outChannels * pixels
                let image = x + n * g.inChannels * g.height * g.width
                let output = OutputMatrix(base: c, ld: pixels)
                if g.isPointwise {
                    GEMMDriver.run(m: g.outChannels, n: pixels, k: g.depth, alpha: 1, a: a,
                                   b: StridedMatrix(base: image, rowStride: pixels, columnStride: 1),
                                   beta: 0, c: output, threads: threads, rowBias: bias)
                } else {
                    let single = ConvGeometry(images: 1, inChannels: g.inChannels, height: g.height, width: g.width,
                                              outChannels: g.outChannels, kernelHeight: g.kernelHeight,
                                              kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
                    GEMMDriver.run(m: g.outChannels, n: pixels, k: g.depth, alpha: 1, a: a,
                                   b: Im2colPanelSource(x: image, geometry: single),
                                   beta: 0, c: output, threads: threads, rowBias: bias)
                }
            }
            return
        }

        // Small images: C[Cout, N·pixels] in a scratch buffer, then scattered to [N, Cout, pixels].
        let columns = g.images * pixels
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.outChannels * columns)
        defer { scratch.deallocate() }
        GEMMDriver.run(m: g.outChannels, n: columns, k: g.depth, alpha: 1, a: a,
                       b: Im2colPanelSource(x: x, geometry: g), beta: 0,
                       c: OutputMatrix(base: scratch, ld: columns), threads: threads, rowBias: bias)
        for n in 0..<g.images {
            for co in 0..<g.outChannels {
                (out + (n * g.outChannels + co) * pixels).update(from: scratch + co * columns + n * pixels, count: pixels)
            }
        }
    }
}
