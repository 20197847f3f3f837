import ArgumentParser
import DiffuseBench
import DiffuseModels
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `diffuse bench tokenizer`: reading the CLIP vocabulary (`vocab.json`, 49,408 tokens) with the
/// tokenizer's own reader (`CLIPTokenizer.parseVocabulary`, Sources/DiffuseModels/Tokenizer/JSONScanner.swift)
/// and with Foundation's `JSONDecoder` into `[String: Int]`, in the same run. This is the measurement
/// behind keeping a hand-written reader for the tokenizer files while every config goes through Codable.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Time reading the CLIP vocabulary: the tokenizer's reader vs JSONDecoder.")

    @Option(help: "A vocab.json (default: Fixtures/tokenizer/vocab.json, the real CLIP vocabulary).")
    var vocab = "Fixtures/tokenizer/vocab.json"
    @Option(help: "Timed runs per reader; the median is reported.")
    var repeats = 10
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    /// One timed reader.
    struct Row: Codable {
        var reader: String
        var file: String
        var entries: Int
        var seconds: Double
    }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: vocab) else {
            throw ValidationError("cannot read \(vocab); pass --vocab PATH (run from the repository root for the default)")
        }
        let path = vocab
        var rows: [Row] = []
        func time(_ reader: String, _ body: () throws -> Int) throws {
            var entries = try body()   // warm-up
            var samples: [Double] = []
            for _ in 0..<repeats {
                let start = Timing.now()
                entries = try body()
                samples.append(Timing.now() - start)
            }
            samples.sort()
            rows.append(Row(reader: reader, file: path, entries: entries, seconds: samples[samples.count / 2]))
        }
        try time("tokenizer") { try CLIPTokenizer.parseVocabulary(data, file: path).count }
        try time("JSONDecoder") { try JSONDecoder().decode([String: Int].self, from: data).count }
        if json {
            rows.forEach { print(JSONLine.encode($0)) }
            return
        }
        print("reader        entries    seconds (median of \(repeats))")
        for row in rows {
            print(row.reader.padding(toLength: 14, withPad: " ", startingAt: 0) + "\(row.entries)".padding(toLength: 11, withPad: " ", startingAt: 0)
                  + fmt(row.seconds, 4))
        }
        if rows.count == 2, rows[0].seconds > 0 {
            print("JSONDecoder / tokenizer: " + fmt(rows[1].seconds / rows[0].seconds, 1) + "×")
        }
    }
}
