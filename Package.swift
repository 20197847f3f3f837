// swift-tools-version:6.0
// Diffuse: Stable Diffusion inference in Swift. Layered targets; each depends only on the ones above it:
//   DiffuseCore (tensor, dtype, safetensors, Backend protocol)
//   → DiffuseCPU (kernels)        → DiffuseNN (modules)
//   → DiffuseModels / DiffuseSchedulers → DiffusePipeline → diffuse (CLI)
import PackageDescription

// Hot kernels need FMA and 256-bit vectors. Without a CPU target Swift lowers `addingProduct` to calls
// to `fmaf` (≈ 100× slower), so the kernel targets are always built for Haswell (AVX2 + FMA + F16C)
// and always optimised, even in debug builds (tests of numeric kernels would otherwise take minutes).
// AVX-512-BF16 code lives in the C target behind per-function `target` attributes and is chosen at
// run time, so the binary still runs on AVX2-only machines. On arm64 NEON is the baseline: no flag.
#if arch(x86_64)
let cpuFlags: [String] = ["-target-cpu", "haswell"]
#else
let cpuFlags: [String] = []
#endif
let kernelSwiftSettings: [SwiftSetting] = [.unsafeFlags(cpuFlags + ["-O"])]

let package = Package(
    name: "Diffuse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "diffuse", targets: ["diffuse"]),
        .library(name: "Diffuse", targets: ["DiffusePipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "DiffuseCore", swiftSettings: kernelSwiftSettings),
        .target(name: "CDiffuseKernels"),
        .target(name: "DiffuseCPU", dependencies: ["DiffuseCore", "CDiffuseKernels"],
                swiftSettings: kernelSwiftSettings),
        .target(name: "DiffuseNN", dependencies: ["DiffuseCore"]),
        .target(name: "DiffuseModels", dependencies: ["DiffuseNN"]),
        .target(name: "DiffuseSchedulers", dependencies: ["DiffuseCore"]),
        // zlib (PNG) and libjpeg (JPEG input) from the system: Debian's zlib1g-dev and libjpeg-dev.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        // Compile mode (the `torch.compile` idea): capture a forward pass as a graph, fuse, plan memory, replay.
        .target(name: "DiffuseCompile", dependencies: ["DiffuseModels", "DiffuseCPU"], swiftSettings: kernelSwiftSettings),
        .target(name: "DiffusePipeline", dependencies: ["DiffuseModels", "DiffuseSchedulers", "DiffuseCPU",
                                                        "DiffuseCompile", "CZlib", "CJPEG"]),
        // Model benchmarks (`diffuse bench unet|vae|text-encoder|pipeline`): synthetic models, the grid,
        // memory prediction, JSON, charts, PyTorch comparison. A library so that tests can reach it;
        // optimised like the kernels because it fills gigabytes of random weights.
        .target(name: "DiffuseBench", dependencies: ["DiffusePipeline", "DiffuseCPU", "DiffuseCompile"], swiftSettings: kernelSwiftSettings),
        .executableTarget(name: "diffuse", dependencies: [
            "DiffusePipeline", "DiffuseCPU", "DiffuseBench",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: kernelSwiftSettings),
        .target(name: "DiffuseTestSupport", dependencies: ["DiffuseCore"], path: "Tests/Support"),
        .testTarget(name: "DiffuseCoreTests", dependencies: ["DiffuseCore", "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseCPUTests", dependencies: ["DiffuseCPU", "DiffuseNN", "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseModelsTests", dependencies: ["DiffuseModels", "DiffusePipeline", "DiffuseCPU",
                                                               "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseCompileTests", dependencies: ["DiffuseCompile", "DiffuseModels", "DiffuseCPU",
                                                                "DiffuseTestSupport"]),
        .testTarget(name: "DiffusePipelineTests", dependencies: ["DiffusePipeline", "DiffuseCPU", "DiffuseBench",
                                                                 "DiffuseTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
