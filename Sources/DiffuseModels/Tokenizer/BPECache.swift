import DiffuseCore

/// Word → token ids, shared by all copies of one tokenizer and safe to use from several threads (one `Lock`).
///
/// Like transformers' slow tokenizer and `tokenizers`' BPE, it remembers every word it has split. It is
/// bounded: when `capacity` words are stored it starts over (prompts repeat words, not whole corpora).
final class BPECache: @unchecked Sendable {
    private let lock = Lock()
    private var entries: [String: [Int]] = [:]
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func value(for word: String) -> [Int]? {
        lock.withLock { entries[word] }
    }

    func store(_ ids: [Int], for word: String) {
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[word] = ids
        }
    }

    var count: Int {
        lock.withLock { entries.count }
    }
}
