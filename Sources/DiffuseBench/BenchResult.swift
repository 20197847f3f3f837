import DiffuseNN
import DiffusePipeline

/// One measured (or skipped) cell, as printed by `diffuse bench <component> --json` and by
/// `Scripts/bench_torch_models.py` (same fields; `source` tells them apart).
public struct BenchResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Measured.
        case ok
        /// Predicted or measured peak above `--memory-limit`; not run (predicted) or run and flagged.
        case oom
        /// Could not run (e.g. `--compile` for a component other than the UNet); `reason` says why.
        case error
    }

    /// "diffuse", or the baseline: "torch", "openvino", "onnxruntime" (`BenchBaseline`).
    public var source: String
    public var arch: String
    public var component: String
    public var width: Int
    public var height: Int
    public var batch: Int
    /// Diffuse: an `AttentionChoice` name; PyTorch: "vanilla" (`AttnProcessor`) or "sdpa" (`AttnProcessor2_0`).
    public var attention: String
    public var precision: String
    public var compiled: Bool
    public var threads: Int
    public var status: Status
    public var reason: String?
    /// Median seconds of one timed call (see `BenchComponent`).
    public var secondsPerStep: Double?
    public var imagesPerSecond: Double?
    public var peakRSSBytes: Int?
    /// HostAllocator's peak of live tensor bytes during the cell (Diffuse only).
    public var peakTensorBytes: Int?
    public var predictedBytes: Int?
    /// Vanilla's seconds at the same arch, component, size, batch, precision and compilation / this cell's.
    public var speedupVsVanilla: Double?
    /// Compiled cells: seconds compiling took (capture, passes, plan, checking replay), not in the timing.
    public var compileSeconds: Double?
    /// `vae` and `pipeline` cells: the decoder, "kl" (the model's AutoencoderKL) or "tiny" (TAESD); nil
    /// (results written before the field existed) reads as "kl".
    public var vae: String?
    /// `pipeline` cells: whether each step ran the unconditional pass too (guidance scale > 1: the UNet's
    /// batch is 2B) or not (guidance ≤ 1, LCM / Turbo: batch B); nil reads as true.
    public var guided: Bool?
    /// Baselines that say so (`Scripts/bench_openvino.py`, `bench_onnxruntime.py`): the library and its
    /// version, e.g. "openvino 2026.4.1"; nil for Diffuse's own rows (not written).
    public var version: String?

    public init(source: String, cell: BenchCell, attention: String? = nil, threads: Int, status: Status,
                reason: String? = nil) {
        self.source = source
        arch = cell.arch
        component = cell.component.rawValue
        width = cell.width
        height = cell.height
        batch = cell.batch
        self.attention = attention ?? cell.attention.rawValue
        precision = cell.precision.rawValue
        compiled = cell.compiled
        vae = cell.component.needsVAE ? cell.vae.rawValue : nil
        self.threads = threads
        self.status = status
        self.reason = reason
    }

    /// The attention family compared across engines: "vanilla", "sliced", or "sdpa" (every
    /// scaled-dot-product kernel: Diffuse's auto / flash / memory-efficient / math, PyTorch's SDPA).
    public var attentionKind: String {
        switch attention {
        case "vanilla", "sliced": attention
        default: "sdpa"
        }
    }

    /// The key `--compare` matches cells by: arch, component, width, height, batch, attention kind,
    /// precision, compiled, decoder and guidance.
    public var matchKey: String {
        "\(arch)|\(component)|\(width)x\(height)|\(batch)|\(attentionKind)|\(precision)|\(compiled)|\(variant)"
    }

    /// The key of the vanilla cell this one's speed-up refers to.
    public var vanillaKey: String {
        "\(source)|\(arch)|\(component)|\(width)x\(height)|\(batch)|\(precision)|\(compiled)|\(variant)"
    }

    /// Decoder and guidance as the tables show them after the attention: "" for the defaults (KL decoder,
    /// guided), else e.g. " tiny-vae", " no-cfg".
    public var variant: String {
        ((vae ?? "kl") == "kl" ? "" : " \(vae!)-vae") + (guided == false ? " no-cfg" : "")
    }

    /// The JSON field names (snake_case, as the PyTorch script writes them).
    enum CodingKeys: String, CodingKey {
        case source, arch, component, width, height, batch, attention, precision, compiled, threads, status, reason
        case secondsPerStep = "seconds_per_step"
        case imagesPerSecond = "images_per_second"
        case peakRSSBytes = "peak_rss_bytes"
        case peakTensorBytes = "peak_tensor_bytes"
        case predictedBytes = "predicted_bytes"
        case speedupVsVanilla = "speedup_vs_vanilla"
        case compileSeconds = "compile_seconds"
        case vae, guided, version
    }
}
