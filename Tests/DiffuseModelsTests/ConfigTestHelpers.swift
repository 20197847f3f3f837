#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels
import DiffuseTestSupport

/// Decodes a config from a JSON literal (errors name "test.json").
func decode<C: ConfigFile>(_ type: C.Type, _ json: String) throws -> C {
    try C(jsonData: Data(json.utf8), file: "test.json")
}

/// Loads a committed config fixture, e.g. `fixture(UNet2DConditionConfig.self, "sd15/unet.json")`.
func fixture<C: ConfigFile>(_ type: C.Type, _ name: String) throws -> C {
    try C(contentsOfFile: FixturePaths.path("configs/" + name))
}

/// The error thrown by `body`, if it is a `ConfigError`.
func configError(_ body: () throws -> Void) -> ConfigError? {
    do { try body() } catch let error as ConfigError { return error } catch { return nil }
    return nil
}
