/// What kind of thing a `--model` argument names, decided before anything is resolved.
public enum ModelReference: Sendable, Equatable {
    /// An existing directory: a diffusers folder.
    case folder(String)
    /// An existing file: a single-file checkpoint (`.safetensors` / `.ckpt`). Not resolved by
    /// `ModelSource` yet: single-file loading lives in `SingleFile/` and plugs in here.
    case file(String)
    /// A hub model id `org/name` (valid per `ModelSource.hubIDProblem`).
    case hub(String)

    /// Classifies `model`; throws `.notFound` (no such path, not a hub id) or `.invalidID` (the form
    /// org/name but illegal: `..`, bad characters).
    public static func classify(_ model: String) throws -> ModelReference {
        switch ModelFolder.fileKind(model) {
        case true?: return .folder(model)
        case false?: return .file(model)
        case nil: break
        }
        guard let problem = ModelSource.hubIDProblem(model) else { return .hub(model) }
        let looksLikePath = model.hasPrefix("/") || model.hasPrefix(".") || model.hasPrefix("~") || !model.contains("/")
        if looksLikePath {
            throw ModelSourceError(.notFound, model: model,
                message: "no such folder, and not a Hugging Face hub id (org/name); give a diffusers model folder (the one containing model_index.json) or a hub id such as org/name")
        }
        throw ModelSourceError(.invalidID, model: model,
            message: "no such folder, and not a valid Hugging Face hub id: \(problem); a hub id is org/name (letters, digits, -, _, .)")
    }
}
