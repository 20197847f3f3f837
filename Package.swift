// swift-tools-version:6.0
// Diffuse: Stable Diffusion inference in Swift. Layered targets; each depends only on the ones above it:
//   DiffuseCore (tensor, dtype, safetensors, Backend protocol)
//   → DiffuseCPU (kernels)   DiffuseNN (modules)   DiffuseSchedulers   DiffuseImage (PNG/JPEG)
//   → DiffuseModels (tokenizer, text encoder, UNet, VAE, configs)     → DiffuseCompile (compile mode)
//   → DiffuseSources (model folders, HF cache and hub, single-file checkpoints)
//   → DiffusePipeline (StableDiffusionPipeline)
//   → Diffuse (the library: `import Diffuse` re-exports all of the above)
//   → DiffuseBench (model benchmarks), DiffuseServer (`diffuse serve`) → DiffuseCLI (the `diffuse` executable)
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
        // The command is `diffuse`; its module is DiffuseCLI so that it cannot clash with the library's
        // module `Diffuse` (on case-insensitive file systems, and in .swiftmodule names).
        .executable(name: "diffuse", targets: ["DiffuseCLI"]),
        // `import Diffuse`: the module and the product share one name.
        .library(name: "Diffuse", targets: ["Diffuse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `diffuse serve` (DiffuseServer): HTTP server, start/stop and SIGTERM, logs, Prometheus metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
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
        // Image I/O: PNG/JPEG read and write, PNG text chunks, RGBImage ⇄ Tensor.
        .target(name: "DiffuseImage", dependencies: ["DiffuseCore", "CZlib", "CJPEG"]),
        // Compile mode (the `torch.compile` idea): capture a forward pass as a graph, fuse, plan memory, replay.
        .target(name: "DiffuseCompile", dependencies: ["DiffuseModels", "DiffuseCPU"], swiftSettings: kernelSwiftSettings),
        // Where the model files come from: diffusers folders (model_index.json, configs, weight files),
        // the Hugging Face cache and hub downloads, single-file checkpoints. Needs the models' typed
        // configs (DiffuseModels) and SchedulerConfig (DiffuseSchedulers), and DiffuseNN's WeightStore for
        // single-file key mappings.
        .target(name: "DiffuseSources", dependencies: ["DiffuseModels", "DiffuseSchedulers",
                                                       .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "DiffusePipeline", dependencies: ["DiffuseModels", "DiffuseSchedulers", "DiffuseCPU",
                                                        "DiffuseCompile", "DiffuseImage", "DiffuseSources"]),
        // The library users import (Sources/Diffuse/Exports.swift re-exports the layers).
        .target(name: "Diffuse", dependencies: ["DiffuseCore", "DiffuseCPU", "DiffuseNN", "DiffuseModels",
                                                "DiffuseSchedulers", "DiffuseCompile", "DiffuseImage",
                                                "DiffuseSources", "DiffusePipeline"]),
        // Model benchmarks (`diffuse bench unet|vae|text-encoder|pipeline`): synthetic models, the grid,
        // memory prediction, JSON, charts, PyTorch comparison. A library so that tests can reach it;
        // optimised like the kernels because it fills gigabytes of random weights.
        .target(name: "DiffuseBench", dependencies: ["DiffusePipeline", "DiffuseImage", "DiffuseSources", "DiffuseCPU",
                                                     "DiffuseCompile"], swiftSettings: kernelSwiftSettings),
        // `diffuse serve`: the A1111 (`/sdapi/v1/…`) and OpenAI (`/v1/images/generations`) image APIs on
        // Hummingbird, one generation at a time behind a bounded queue. A library so tests start it in-process.
        .target(name: "DiffuseServer", dependencies: [
            "DiffusePipeline", "DiffuseImage", "DiffuseSources", "DiffuseCPU",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "DiffuseCLI", dependencies: [
            "DiffusePipeline", "DiffuseImage", "DiffuseSources", "DiffuseCPU", "DiffuseBench", "DiffuseServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: kernelSwiftSettings),
        .target(name: "DiffuseTestSupport", dependencies: ["DiffuseCore"], path: "Tests/Support"),
        .testTarget(name: "DiffuseCoreTests", dependencies: ["DiffuseCore", "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseCPUTests", dependencies: ["DiffuseCPU", "DiffuseNN", "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseModelsTests", dependencies: ["DiffuseModels", "DiffuseSources", "DiffuseCPU",
                                                               "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseImageTests", dependencies: ["DiffuseImage", "DiffuseTestSupport"]),
        .testTarget(name: "DiffuseCompileTests", dependencies: ["DiffuseCompile", "DiffuseModels", "DiffuseCPU",
                                                                "DiffuseTestSupport"]),
        .testTarget(name: "DiffusePipelineTests", dependencies: ["DiffusePipeline", "DiffuseImage", "DiffuseSources",
                                                                 "DiffuseCPU", "DiffuseBench", "DiffuseTestSupport"]),
        // `diffuse serve` over HTTP, in-process on an ephemeral port (Hummingbird's own live test client).
        .testTarget(name: "DiffuseServerTests", dependencies: [
            "DiffuseServer", "DiffusePipeline", "DiffuseImage", "DiffuseTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // The README's "Use as a library" example, compiled and run against `import Diffuse`.
        .testTarget(name: "DiffuseTests", dependencies: ["Diffuse", "DiffuseTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
