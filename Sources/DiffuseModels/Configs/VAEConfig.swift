#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The config of a VAE folder, told apart by its `_class_name` as diffusers' `from_pretrained` does: an
/// `AutoencoderKL` (the SD / SDXL VAEs and their fine-tunes) or an `AutoencoderTiny` (TAESD, TAESDXL).
public enum VAEConfig: Sendable, Equatable {
    case autoencoderKL(AutoencoderKLConfig)
    case autoencoderTiny(AutoencoderTinyConfig)

    /// The classes Diffuse loads.
    public static let classNames = ["AutoencoderKL", "AutoencoderTiny"]

    /// Reads `path` (a `config.json`). Throws `ConfigError`: unreadable or not JSON, no `_class_name`, a class
    /// that is not a VAE Diffuse loads, or a bad value (named by key).
    public init(contentsOfFile path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(.unreadable, file: path, message: "cannot read the file (\(error)); check that it exists and is readable")
        }
        try self.init(jsonData: data, file: path)
    }

    public init(jsonData: Data, file: String = "config.json") throws {
        let name = try ClassName(jsonData: jsonData, file: file).className
        switch name {
        case "AutoencoderKL": self = .autoencoderKL(try AutoencoderKLConfig(jsonData: jsonData, file: file))
        case "AutoencoderTiny": self = .autoencoderTiny(try AutoencoderTinyConfig(jsonData: jsonData, file: file))
        case nil:
            throw ConfigError(.missingKey, file: file, key: "_class_name",
                message: "required to tell an AutoencoderKL from an AutoencoderTiny (diffusers writes it into every model's config.json); is this a diffusers VAE folder?")
        case let other?:
            throw ConfigError(.unsupported, file: file, key: "_class_name", value: jsonText(other),
                message: "not a VAE Diffuse can load; expected \(Self.classNames.map { "\"\($0)\"" }.joined(separator: " or "))")
        }
    }

    /// `_class_name` alone.
    private struct ClassName: ConfigFile {
        var className: String?
        var sourceFile = ""
        enum CodingKeys: String, CodingKey { case className = "_class_name" }
    }

    /// `AutoencoderKL` or `AutoencoderTiny`.
    public var className: String {
        switch self {
        case .autoencoderKL: "AutoencoderKL"
        case .autoencoderTiny: "AutoencoderTiny"
        }
    }

    public var latentChannels: Int {
        switch self {
        case .autoencoderKL(let c): c.latentChannels
        case .autoencoderTiny(let c): c.latentChannels
        }
    }

    /// Pixels per latent along each side, as the pipelines compute it (`2 ** (len(block_out_channels) - 1)`).
    public var scaleFactor: Int {
        switch self {
        case .autoencoderKL(let c): c.scaleFactor
        case .autoencoderTiny(let c): c.scaleFactor
        }
    }

    /// The file it was read from.
    public var sourceFile: String {
        switch self {
        case .autoencoderKL(let c): c.sourceFile
        case .autoencoderTiny(let c): c.sourceFile
        }
    }

    /// Throws the first value Diffuse cannot run (`ConfigError`).
    public func validateSupported() throws {
        switch self {
        case .autoencoderKL(let c): try c.validateSupported()
        case .autoencoderTiny(let c): try c.validateSupported()
        }
    }
}
