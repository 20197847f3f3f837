#if canImport(Glibc)
import Glibc
#endif
import Crypto

/// SHA-256, streaming, as lowercase hex — swift-crypto's `SHA256` (BoringSSL's assembly, fast in debug
/// builds too) with the file and hex helpers Diffuse needs: checking hub downloads against their LFS etag
/// (the content's sha256, which huggingface_hub names blobs by) and A1111's `Model hash` (`ModelHash`).
public struct FileDigest: Sendable {
    private var hasher = SHA256()

    public init() {}

    public static func hex(_ data: some Sequence<UInt8>) -> String {
        var digest = FileDigest()
        digest.update(Array(data))
        return digest.finalize()
    }

    /// Hashes the file at `path` in 4 MiB reads; nil if it cannot be read.
    public static func hex(ofFile path: String) -> String? {
        var digest = FileDigest()
        guard digest.update(file: path) != nil else { return nil }
        return digest.finalize()
    }

    /// Feeds the first `limit` bytes of the file at `path` (all of it when nil); returns the number of
    /// bytes read, nil if it cannot be read.
    @discardableResult
    public mutating func update(file path: String, limit: Int? = nil) -> Int? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { chunk.deallocate() }
        var total = 0
        while limit.map({ total < $0 }) ?? true {
            let want = min(chunk.count, limit.map { $0 - total } ?? chunk.count)
            let count = fread(chunk.baseAddress, 1, want, file)
            if count == 0 { break }
            update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            total += count
        }
        return ferror(file) == 0 ? total : nil
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// The lowercase hex digest of everything fed so far.
    public func finalize() -> String {
        hasher.finalize().map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
