import CDiffuseKernels
import DiffuseCore

/// NCHW convolution on the AVX512-BF16 GEMM (`BF16Driver`): the same GEMM view as `ConvKernel`
/// (C[Cout, pixels] = W[Cout, Cin·kh·kw] · im2col(x)), with W pre-packed bf16 A panels (cached per weight)
/// and the im2col B panels gathered from the f32 image and rounded to bf16 as they are packed
/// (`BF16ConvertingSource` over `Im2colPanelSource`; a 1×1 stride-1 convolution reads x as a plain matrix).
/// f32 accumulation, bias added in the kernel's epilogue, f32 output.
///
/// Shapes: x [N, Cin, H, W] contiguous f32, weight packed as Cout × Cin·kh·kw, bias [Cout] or nil,
/// out [N, Cout, Hout, Wout] f32. Like `ConvKernel`, large images run one GEMM per image written in place
/// (one pool of tasks); small ones (< `ConvKernel.batchedBelowPixels` pixels) put all images side by side.
enum BF16ConvKernel {
    static func run(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: BF16PackedMatrix,
                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, threads: Int) {
        let pixels = g.outPixels
        if g.images == 0 || g.outChannels == 0 || pixels == 0 { return }
        let blocking = GEMM.bf16Blocking

        if g.images == 1 || pixels >= ConvKernel.batchedBelowPixels {
            // [Cout, pixels] of image i, in place.
            let images = 0 ..< g.images
            let outputs = images.map { OutputMatrix(base: out + $0 * g.outChannels * pixels, ld: pixels) }
            let inputs = images.map { x + $0 * g.inChannels * g.height * g.width }
            if g.isPointwise {
                let problems = images.map {
                    (b: BF16ConvertingSource(source: StridedMatrix(base: inputs[$0], rowStride: pixels, columnStride: 1)),
                     c: outputs[$0])
                }
                BF16Driver.run(m: g.outChannels, n: pixels, k: g.depth, alpha: 1, a: weight, problems: problems,
                               beta: 0, rowBias: bias, threads: threads, blocking: blocking,
                               tasksPerThread: ConvKernel.tasksPerThread)
            } else {
                let single = ConvGeometry(images: 1, inChannels: g.inChannels, height: g.height, width: g.width,
                                          outChannels: g.outChannels, kernelHeight: g.kernelHeight,
                                          kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
                let problems = images.map {
                    (b: BF16ConvertingSource(source: Im2colPanelSource(x: inputs[$0], geometry: single)), c: outputs[$0])
                }
                BF16Driver.run(m: g.outChannels, n: pixels, k: g.depth, alpha: 1, a: weight, problems: problems,
                               beta: 0, rowBias: bias, threads: threads, blocking: blocking,
                               tasksPerThread: ConvKernel.tasksPerThread)
            }
            return
        }

        // Small images: C[Cout, N·pixels] in a scratch buffer, then scattered to [N, Cout, pixels].
        let columns = g.images * pixels
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.outChannels * columns)
        defer { scratch.deallocate() }
        BF16Driver.run(m: g.outChannels, n: columns, k: g.depth, alpha: 1, a: weight,
                       problems: [(b: BF16ConvertingSource(source: Im2colPanelSource(x: x, geometry: g)),
                                   c: OutputMatrix(base: scratch, ld: columns))],
                       beta: 0, rowBias: bias, threads: threads, blocking: blocking,
                       tasksPerThread: ConvKernel.tasksPerThread)
        for n in 0..<g.images {
            for co in 0..<g.outChannels {
                (out + (n * g.outChannels + co) * pixels).update(from: scratch + co * columns + n * pixels, count: pixels)
            }
        }
    }
}
