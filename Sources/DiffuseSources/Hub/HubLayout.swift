/// What a hub repository must hold for its use: a diffusers pipeline (`--model`: `model_index.json` and the
/// component folders, `HubFileSelection.select`, opened as a `ModelFolder`), one VAE at its root (`--vae`:
/// `config.json` + weights, `HubFileSelection.selectComponent`, opened as a `VAEFolder`) or one ControlNet at
/// its root (`--controlnet`: `HubFileSelection.selectControlNet`, opened as `ControlNetFiles(folder:)`).
enum HubLayout: Sendable {
    case pipeline
    case vae
    case controlNet

    /// The files to download from the repository listing `siblings`.
    func select(siblings: [String], variant: String?, model: String, revision: String) throws -> HubFileSelection {
        switch self {
        case .pipeline: try HubFileSelection.select(siblings: siblings, variant: variant, model: model, revision: revision)
        case .vae: try HubFileSelection.selectComponent(siblings: siblings, variant: variant, model: model, revision: revision)
        case .controlNet: try HubFileSelection.selectControlNet(siblings: siblings, model: model, revision: revision)
        }
    }

    /// Opens `snapshot` as this layout's folder (throws what `ModelFolder` / `VAEFolder` / `ControlNetFiles` throw).
    func open(_ snapshot: String, variant: String?) throws {
        switch self {
        case .pipeline: _ = try ModelFolder(path: snapshot, variant: variant)
        case .vae: _ = try VAEFolder(path: snapshot, variant: variant)
        case .controlNet: _ = try ControlNetFiles(folder: snapshot)
        }
    }
}
