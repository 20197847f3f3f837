#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Word → token ids, shared by all copies of one tokenizer and safe to use from several threads (a
/// pthread mutex: `Synchronization.Mutex` needs macOS 15, the package supports macOS 14).
///
/// Like transformers' slow tokenizer and `tokenizers`' BPE, it remembers every word it has split. It is
/// bounded: when `capacity` words are stored it starts over (prompts repeat words, not whole corpora).
final class BPECache: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var entries: [String: [Int]] = [:]
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func value(for word: String) -> [Int]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return entries[word]
    }

    func store(_ ids: [Int], for word: String) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[word] = ids
    }

    var count: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return entries.count
    }
}
