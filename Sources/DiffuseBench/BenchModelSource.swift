import DiffuseCore
import DiffusePipeline
import DiffuseSources

/// Where a model benchmark's weights come from: a built-in family with seeded random weights
/// (`--arch`), or a diffusers folder (`--model`).
public enum BenchModelSource: Sendable {
    case synthetic(SyntheticArch)
    case folder(ModelFolder)

    /// The `arch` field of results: "sd15", "sd21", "sdxl", "sd-turbo", or the folder's last path component.
    public var archName: String {
        switch self {
        case .synthetic(let arch): arch.rawValue
        case .folder(let folder): String(folder.path.split(separator: "/").last ?? Substring(folder.path))
        }
    }

    public var configs: ModelConfigs {
        switch self {
        case .synthetic(let arch): ModelConfigs(arch)
        case .folder(let folder): ModelConfigs(folder)
        }
    }

    /// The family's default image side (the UNet's `sample_size` × the VAE factor).
    public var defaultSize: Int { configs.defaultSize }

    /// Builds the components `component` needs in `precision` (with `compile`, the UNet compilable too;
    /// with `tiny`, a tiny autoencoder beside the VAE).
    public func build(_ component: BenchComponent, precision: Precision, seed: UInt64, backend: any Backend,
                      profile: OpProfile?, compile: Bool = false, tiny: Bool = false) throws -> BenchModels {
        switch self {
        case .synthetic(let arch):
            try BenchModels(arch: arch, component: component, precision: precision, seed: seed, backend: backend,
                            profile: profile, compile: compile, tiny: tiny)
        case .folder(let folder):
            try BenchModels(folder: folder, component: component, precision: precision, backend: backend,
                            profile: profile, compile: compile, tiny: tiny)
        }
    }
}
