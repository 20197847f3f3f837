/// NCHW convolution through the GEMM driver.
///
/// Shapes: x [N, Cin, H, W], weight [Cout, Cin·kh·kw] (OIHW flattened), bias [Cout] or nil,
/// out [N, Cout, Hout, Wout]; all contiguous. x, bias and out are f32; the weight is the GEMM's A: f32 read
/// in place, or f16 / bf16 (`HalfMatrix`) converted as it is packed.
enum ConvKernel {
    /// Below this many output pixels per image, all images share one GEMM (N = images · pixels).
    static let batchedBelowPixels = 256
    /// Rectangles per thread and image (see `GEMMDriver.runShared`).
    nonisolated(unsafe) static var tasksPerThread = 2

    static func run(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        run(g, x: x, weight: StridedMatrix(base: weight, rowStride: g.depth, columnStride: 1), bias: bias, out: out)
    }

    /// `run` with the weight as any `GEMMRowSource` [Cout, Cin·kh·kw].
    static func run<Weight: GEMMRowSource>(_ g: ConvGeometry, x: UnsafePointer<Float>, weight a: Weight,
                                           bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        let threads = Parallel.threadCount
        let pixels = g.outPixels
        if g.images == 0 || g.outChannels == 0 || pixels == 0 { return }

        if g.images == 1 || pixels >= batchedBelowPixels {
            // One GEMM per image, written in place: out[n] = W · im2col(x[n]) (+ bias, added by the kernel);
            // all images' rectangles in one pool of tasks.
            let images = 0 ..< g.images
            let outputs = images.map { OutputMatrix(base: out + $0 * g.outChannels * pixels, ld: pixels) }
            let inputs = images.map { x + $0 * g.inChannels * g.height * g.width }
            if g.isPointwise {
                let problems = images.map { (b: StridedMatrix(base: inputs[$0], rowStride: pixels, columnStride: 1),
                                             c: outputs[$0]) }
                GEMMDriver.runShared(m: g.outChannels, n: pixels, k: g.depth, a: a, problems: problems,
                                     rowBias: bias, threads: threads, tasksPerThread: tasksPerThread)
            } else {
                let single = ConvGeometry(images: 1, inChannels: g.inChannels, height: g.height, width: g.width,
                                          outChannels: g.outChannels, kernelHeight: g.kernelHeight,
                                          kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
                let problems = images.map { (b: Im2colPanelSource(x: inputs[$0], geometry: single), c: outputs[$0]) }
                GEMMDriver.runShared(m: g.outChannels, n: pixels, k: g.depth, a: a, problems: problems,
                                     rowBias: bias, threads: threads, tasksPerThread: tasksPerThread)
            }
            return
        }

        // Small images: C[Cout, N·pixels] in a scratch buffer, then scattered to [N, Cout, pixels].
        let columns = g.images * pixels
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.outChannels * columns)
        defer { scratch.deallocate() }
        GEMMDriver.runShared(m: g.outChannels, n: columns, k: g.depth, a: a,
                             problems: [(b: Im2colPanelSource(x: x, geometry: g),
                                         c: OutputMatrix(base: scratch, ld: columns))],
                             rowBias: bias, threads: threads, tasksPerThread: tasksPerThread)
        for n in 0..<g.images {
            for co in 0..<g.outChannels {
                (out + (n * g.outChannels + co) * pixels).update(from: scratch + co * columns + n * pixels, count: pixels)
            }
        }
    }
}
