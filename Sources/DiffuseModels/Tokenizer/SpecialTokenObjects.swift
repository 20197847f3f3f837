#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which special-token keys of `tokenizer_config.json` hold `AddedToken` objects rather than bare strings
/// (transformers 5 makes bare strings `normalized=False`); `CLIPTokenizerConfig` decodes both forms into
/// `AddedToken` and forgets which.
enum SpecialTokenObjects {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Forms: Decodable {
        var objects: Set<String> = []
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for name in ["bos_token", "eos_token", "unk_token", "pad_token"] {
                if (try? c.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: name))) != nil { objects.insert(name) }
            }
        }
    }

    static func keys(in data: Data) -> Set<String> {
        (try? JSONDecoder().decode(Forms.self, from: data).objects) ?? []
    }
}
