#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tokenizer/tokenizer_config.json` as written by transformers' `CLIPTokenizer.save_pretrained`
/// (`transformers/models/clip/tokenization_clip.py`; defaults from `CLIPTokenizer.__init__`).
///
/// transformers 5 writes bare strings (`"pad_token": "!"`) and omits `do_lower_case`; the SD 1.5 / 2.1
/// files (transformers 4.2x) use `AddedToken` objects and spell out `do_lower_case`. SD 1.x pads with
/// `<|endoftext|>` (id 49407), SD 2.x with `!` (id 0): the ids come from `vocab.json`.
public struct CLIPTokenizerConfig: DefaultedConfigFile, Encodable, Equatable {
    public var bosToken: AddedToken
    public var eosToken: AddedToken
    public var unkToken: AddedToken
    public var padToken: AddedToken
    /// Tokens per prompt including `<|startoftext|>` / `<|endoftext|>` (77 for SD). nil when the file
    /// omits it or gives transformers' "no limit" value (`int(1e30)`): then use the text encoder's
    /// `max_position_embeddings`.
    public var modelMaxLength: Int?
    /// CLIP always lower-cases (transformers 5 no longer writes the key).
    public var doLowerCase: Bool
    public var addPrefixSpace: Bool
    /// How invalid UTF-8 is decoded back to text ("replace").
    public var errors: String
    public var cleanUpTokenizationSpaces: Bool?
    public var tokenizerClass: String?
    /// transformers ≥ 4.34: id (as a string) → token, for added/special tokens.
    public var addedTokensDecoder: [String: AddedToken]?
    public var nameOrPath: String?

    public var sourceFile: String = "tokenizer/tokenizer_config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case bosToken = "bos_token"
        case eosToken = "eos_token"
        case unkToken = "unk_token"
        case padToken = "pad_token"
        case modelMaxLength = "model_max_length"
        case doLowerCase = "do_lower_case"
        case addPrefixSpace = "add_prefix_space"
        case errors
        case cleanUpTokenizationSpaces = "clean_up_tokenization_spaces"
        case tokenizerClass = "tokenizer_class"
        case addedTokensDecoder = "added_tokens_decoder"
        case nameOrPath = "name_or_path"
    }


    /// Writes every key, nil as `null`.
    public func encode(to encoder: any Encoder) throws {
        try encodeAllProperties(self, keys: CodingKeys.self, to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bosToken = try c.decode(.bosToken, default: "<|startoftext|>")
        eosToken = try c.decode(.eosToken, default: "<|endoftext|>")
        unkToken = try c.decode(.unkToken, default: "<|endoftext|>")
        padToken = try c.decode(.padToken, default: "<|endoftext|>")
        if let n = try? c.decodeIfPresent(Int.self, forKey: .modelMaxLength) {
            modelMaxLength = n
        } else if let x = try c.decodeIfPresent(Double.self, forKey: .modelMaxLength) {
            modelMaxLength = x >= 1e18 ? nil : Int(x)   // transformers' VERY_LARGE_INTEGER means "no limit"
        } else {
            modelMaxLength = nil
        }
        doLowerCase = try c.decode(.doLowerCase, default: true)
        addPrefixSpace = try c.decode(.addPrefixSpace, default: false)
        errors = try c.decode(.errors, default: "replace")
        cleanUpTokenizationSpaces = try c.decodeIfPresent(Bool.self, forKey: .cleanUpTokenizationSpaces)
        tokenizerClass = try c.decodeIfPresent(String.self, forKey: .tokenizerClass)
        addedTokensDecoder = try c.decodeIfPresent([String: AddedToken].self, forKey: .addedTokensDecoder)
        nameOrPath = try c.decodeIfPresent(String.self, forKey: .nameOrPath)
    }

    /// The padded prompt length: `model_max_length`, else the text encoder's position count (77).
    public func maxLength(textEncoder: CLIPTextConfig?) -> Int {
        modelMaxLength ?? textEncoder?.maxPositionEmbeddings ?? 77
    }
}
