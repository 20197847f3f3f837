/// Why a single-file checkpoint cannot be used; the description is one line saying what is wrong and
/// what to do.
public struct SingleFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// A pickle checkpoint (`.ckpt`, `.pt`, `.pth`, `.bin`): refused before reading.
        case pickle
        /// No such file, or not a `.safetensors` file.
        case unreadable
        /// Not a Stable Diffusion 1.x / 2.x / XL checkpoint in the original layout (or a variant Diffuse does
        /// not run: inpainting, the SDXL refiner).
        case unsupported
        /// The architecture is not a standard SD 1.x / 2.x / XL one and no config folder was given.
        case unrecognised
        /// The standard configs need the CLIP vocabulary, which was not found.
        case missingVocabulary
        /// The standard config folder could not be written.
        case configFolder
        /// An option that does not apply (a prediction type with a config folder or for SD 1.x / SDXL).
        case invalidOption
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
