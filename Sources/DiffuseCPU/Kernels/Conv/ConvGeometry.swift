/// The sizes of one NCHW convolution, and its view as a GEMM:
///   C[Cout, N·Hout·Wout]  =  W[Cout, Cin·kh·kw] · im2col(x)[Cin·kh·kw, N·Hout·Wout]
/// where column j is image j / (Hout·Wout), output pixel (oy, ox) of that image, and row p of im2col is
/// input channel p / (kh·kw), kernel offset (ky, kx), reading x[ci, oy·s + ky − pad, ox·s + kx − pad]
/// (zero outside the image).
struct ConvGeometry: Sendable {
    let images, inChannels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let stride, padding: Int

    var outHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    var outPixels: Int { outHeight * outWidth }
    /// GEMM depth: Cin · kh · kw.
    var depth: Int { inChannels * kernelHeight * kernelWidth }
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }
}
