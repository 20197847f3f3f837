#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CLIPTokenizer {
    /// The files of a tokenizer folder (`folder + "/" + name`; nil when absent). The same search as
    /// DiffuseSources' `TokenizerFiles`, kept here because the tokenizer cannot import the model sources.
    public struct Files: Sendable, Equatable {
        public var vocab: String?
        public var merges: String?
        public var tokenizerJSON: String?
        /// `tokenizer_config.json`: special tokens, pad token, `model_max_length`.
        public var config: String?

        public init(vocab: String? = nil, merges: String? = nil, tokenizerJSON: String? = nil, config: String? = nil) {
            self.vocab = vocab
            self.merges = merges
            self.tokenizerJSON = tokenizerJSON
            self.config = config
        }

        /// The files present in `folder`. Throws `missingFiles` when it has neither `vocab.json` +
        /// `merges.txt` nor `tokenizer.json`.
        public static func find(in folder: String) throws -> Files {
            func file(_ name: String) -> String? {
                let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
                var isDirectory = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory ? path : nil
            }
            let files = Files(vocab: file("vocab.json"), merges: file("merges.txt"),
                              tokenizerJSON: file("tokenizer.json"), config: file("tokenizer_config.json"))
            guard files.tokenizerJSON != nil || (files.vocab != nil && files.merges != nil) else {
                var isDirectory = false
                let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory
                let found = [files.vocab, files.merges].compactMap { $0.map { String($0.split(separator: "/").last!) } }
                throw TokenizerError(.missingFiles, file: folder, message: exists
                    ? "not a complete tokenizer folder: needs vocab.json and merges.txt, or tokenizer.json"
                        + (found.isEmpty ? " (found neither)" : " (found only \(found.joined(separator: ", ")))")
                        + "; download the model's whole tokenizer/ folder"
                    : "the tokenizer folder does not exist; pass the model's tokenizer/ folder")
            }
            return files
        }
    }
}
