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
/// Narrow B is packed once and shared by the threads (see `run(_:n:weight:sources:outputs:bias:threads:)`).
enum BF16ConvKernel {
    static func run(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: BF16PackedMatrix,
                    bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>, threads: Int) {
        let pixels = g.outPixels
        if g.images == 0 || g.outChannels == 0 || pixels == 0 { return }
        if g.images == 1 || pixels >= ConvKernel.batchedBelowPixels {
            // [Cout, pixels] of image i, in place.
            let images = 0 ..< g.images
            let outputs = images.map { OutputMatrix(base: out + $0 * g.outChannels * pixels, ld: pixels) }
            let inputs = images.map { x + $0 * g.inChannels * g.height * g.width }
            if g.isPointwise {
                run(g, n: pixels, weight: weight, sources: inputs.map {
                    StridedMatrix(base: $0, rowStride: pixels, columnStride: 1)
                }, outputs: outputs, bias: bias, threads: threads)
            } else {
                let single = ConvGeometry(images: 1, inChannels: g.inChannels, height: g.height, width: g.width,
                                          outChannels: g.outChannels, kernelHeight: g.kernelHeight,
                                          kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
                run(g, n: pixels, weight: weight, sources: inputs.map { Im2colPanelSource(x: $0, geometry: single) },
                    outputs: outputs, bias: bias, threads: threads)
            }
            return
        }

        // Small images: C[Cout, N·pixels] in a scratch buffer, then scattered to [N, Cout, pixels].
        let columns = g.images * pixels
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.outChannels * columns)
        defer { scratch.deallocate() }
        run(g, n: columns, weight: weight, sources: [Im2colPanelSource(x: x, geometry: g)],
            outputs: [OutputMatrix(base: scratch, ld: columns)], bias: bias, threads: threads)
        for n in 0..<g.images {
            for co in 0..<g.outChannels {
                (out + (n * g.outChannels + co) * pixels).update(from: scratch + co * columns + n * pixels, count: pixels)
            }
        }
    }

    /// outputs[i] (Cout × n) = W · B_i + bias, B_i gathered from sources[i] (f32 panels, rounded to bf16).
    /// Narrow B (the 16² and 8² levels): the threads would cut C by rows and each gather and round the same
    /// B; it is then packed once, shared, by all threads first (`BF16PackedMatrix`) and read in place.
    static func run<Source: GEMMPanelSource>(_ g: ConvGeometry, n: Int, weight: BF16PackedMatrix, sources: [Source],
                                             outputs: [OutputMatrix], bias: UnsafePointer<Float>?, threads: Int) {
        let blocking = GEMM.bf16Blocking, tasks = threads * max(1, ConvKernel.tasksPerThread)
        let panels = (n + Int(DIFFUSE_BF16_NR) - 1) / Int(DIFFUSE_BF16_NR)
        if threads > 1 && panels < blocking.minColumnChunkPanels * tasks {
            let packed = sources.map {
                BF16PackedMatrix(packing: BF16ConvertingSource(source: $0), lines: n, depth: g.depth, kc: weight.kc)
            }
            BF16Driver.run(m: g.outChannels, n: n, k: g.depth, alpha: 1, a: weight,
                           problems: zip(packed, outputs).map { (b: $0, c: $1) }, beta: 0, rowBias: bias,
                           threads: threads, blocking: blocking, tasksPerThread: ConvKernel.tasksPerThread)
        } else {
            BF16Driver.run(m: g.outChannels, n: n, k: g.depth, alpha: 1, a: weight,
                           problems: zip(sources, outputs).map { (b: BF16ConvertingSource(source: $0), c: $1) },
                           beta: 0, rowBias: bias, threads: threads, blocking: blocking,
                           tasksPerThread: ConvKernel.tasksPerThread)
        }
    }
}
