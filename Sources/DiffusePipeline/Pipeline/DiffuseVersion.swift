/// The one source of Diffuse's version: `diffuse --version`, the PNG `parameters` (`Version: diffuse …`),
/// `generate --json` and the server's `info`. Releases are tagged `v<current>` in git.
public enum DiffuseVersion {
    public static let current = "0.5.0"
    /// As the PNG `parameters` name it (`Version: diffuse-0.5.0`).
    public static var tag: String { "diffuse-\(current)" }
}
