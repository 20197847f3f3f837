#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import Testing
import DiffuseModels
import DiffuseTestSupport

/// The tiny-sd1 / tiny-sd2 tokenizers, loaded once per process (loading is the slow part).
enum FixtureTokenizers {
    static let sd1: CLIPTokenizer = try! CLIPTokenizer(folder: FixturePaths.path("tiny-sd1/tokenizer"))
    static let sd2: CLIPTokenizer = try! CLIPTokenizer(folder: FixturePaths.path("tiny-sd2/tokenizer"))

    static func tokenizer(_ family: String) -> CLIPTokenizer { family == "tiny-sd1" ? sd1 : sd2 }
}

/// One case of `Fixtures/tiny-sd{1,2}/prompts.json` with its reference ids.
struct TokenizerFixtureCase: CustomTestStringConvertible, Sendable {
    var family: String
    var name: String
    var prompt: String
    /// `tokens.<case>`: padded to 77, truncated.
    var padded: [Int]
    /// `tokens_unpadded.<case>`: BOS … EOS.
    var unpadded: [Int]

    var testDescription: String { "\(family)/\(name)" }

    static func load(_ family: String) throws -> [TokenizerFixtureCase] {
        struct Prompt: Decodable { var `case`: String; var prompt: String }
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(family + "/prompts.json")))
        let prompts = try JSONDecoder().decode([Prompt].self, from: data)
        let reference = try SafeTensorsFile(path: FixturePaths.path(family + "/reference.safetensors"))
        return try prompts.map { p in
            TokenizerFixtureCase(family: family, name: p.case, prompt: p.prompt,
                                 padded: try ids(reference.tensor("tokens." + p.case)),
                                 unpadded: try ids(reference.tensor("tokens_unpadded." + p.case)))
        }
    }

    static let all: [TokenizerFixtureCase] = (try? load("tiny-sd1") + load("tiny-sd2")) ?? []

    private static func ids(_ tensor: Tensor) -> [Int] {
        precondition(tensor.dtype == .i64, "token tensors are int64")
        let t = tensor.hostContiguous()
        let p = t.pointer(as: Int64.self)
        return (0..<t.count).map { Int(p[$0]) }
    }
}

/// A throw-away directory, removed when the value goes away.
final class TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/diffuse-tokenizer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func write(_ data: Data, to name: String) throws {
        try data.write(to: URL(fileURLWithPath: path + "/" + name))
    }

    /// Copies a file of `Fixtures/`.
    func copyFixture(_ relative: String, to name: String) throws {
        try write(Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(relative))), to: name)
    }
}

/// The `TokenizerError` thrown by `body`, if any.
func tokenizerError(_ body: () throws -> Void) -> TokenizerError? {
    do { try body() } catch let error as TokenizerError { return error } catch { return nil }
    return nil
}

/// Escapes a string as a JSON string literal (for building tokenizer.json files in tests).
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// The fixture vocabulary and merges as a transformers-5 `tokenizer.json`.
/// `pairs`: merges as `[["a", "b"], …]` (transformers 5) or `["a b", …]` (older tokenizers).
func makeTokenizerJSON(pairs: Bool, addedTokens: [(id: Int, content: String, normalized: Bool)]) throws -> String {
    let vocabText = String(decoding: try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("tokenizer/vocab.json"))), as: UTF8.self)
    let mergesText = String(decoding: try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("tokenizer/merges.txt"))), as: UTF8.self)
    let merges = mergesText.split(separator: "\n").dropFirst().map { line -> String in
        let parts = line.split(separator: " ")
        return pairs ? "[" + jsonString(String(parts[0])) + ", " + jsonString(String(parts[1])) + "]" : jsonString(String(line))
    }
    let added = addedTokens.map { t in
        "{\"id\": \(t.id), \"content\": \(jsonString(t.content)), \"single_word\": false, \"lstrip\": false, "
            + "\"rstrip\": false, \"normalized\": \(t.normalized), \"special\": true}"
    }
    return """
    {
      "version": "1.0",
      "truncation": null,
      "padding": null,
      "added_tokens": [\(added.joined(separator: ", "))],
      "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": "\\\\s+"}, "content": " "}, {"type": "Lowercase"}]},
      "pre_tokenizer": {"type": "Sequence", "pretokenizers": []},
      "post_processor": {"type": "RobertaProcessing", "sep": ["<|endoftext|>", 49407], "cls": ["<|startoftext|>", 49406], "trim_offsets": false, "add_prefix_space": false},
      "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
      "model": {
        "type": "BPE",
        "dropout": null,
        "unk_token": "<|endoftext|>",
        "continuing_subword_prefix": "",
        "end_of_word_suffix": "</w>",
        "fuse_unk": false,
        "byte_fallback": false,
        "ignore_merges": false,
        "vocab": \(vocabText),
        "merges": [\(merges.joined(separator: ",\n"))]
      }
    }
    """
}
