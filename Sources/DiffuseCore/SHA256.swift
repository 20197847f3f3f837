#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 (FIPS 180-4), streaming: `update` any number of times, then `finalize`. Used to check
/// downloaded hub files against their LFS etag, which is the sha256 of the content (huggingface_hub
/// names LFS blobs by it). Self-contained because no crypto library is available offline here; in
/// DiffuseCore because that target is always optimised (≈ 50× faster than a debug build's, which
/// matters for the download tests and for GB-sized files).
public struct SHA256: Sendable {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    public init() { buffer.reserveCapacity(64) }

    /// Hashes `data` in one go; the lowercase hex digest.
    public static func hex(_ data: some Sequence<UInt8>) -> String {
        var hash = SHA256()
        hash.update(Array(data))
        return hash.finalize()
    }

    /// Hashes the file at `path` in 4 MiB reads; nil if it cannot be read.
    public static func hex(ofFile path: String) -> String? {
        var hash = SHA256()
        guard hash.update(file: path) != nil else { return nil }
        return hash.finalize()
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
        length &+= UInt64(bytes.count)
        var offset = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, bytes.count)
            buffer.append(contentsOf: bytes[0..<take])
            offset = take
            if buffer.count == 64 {
                buffer.withUnsafeBytes { compress(UnsafeRawBufferPointer(rebasing: $0[0..<64])) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
            offset += 64
        }
        if offset < bytes.count { buffer.append(contentsOf: bytes[offset...]) }
    }

    /// Pads, finishes and returns the lowercase hex digest.
    public mutating func finalize() -> String {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let used = (buffer.count + 1) % 64
        tail += [UInt8](repeating: 0, count: (used <= 56 ? 56 - used : 120 - used))
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        update(tail)   // leaves `length` off by the padding: the hash is finished
        return h.map { word in
            let s = String(word, radix: 16)
            return String(repeating: "0", count: 8 - s.count) + s
        }.joined()
    }

    /// One 64-byte block (FIPS 180-4 §6.2.2). Raw pointers throughout: this runs for every byte of
    /// a multi-GB download, and in debug builds for every test download.
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wBuffer in
            Self.k.withUnsafeBufferPointer { kBuffer in
                let w = wBuffer.baseAddress!, k = kBuffer.baseAddress!
                let bytes = block.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for i in 0..<16 {
                    w[i] = UInt32(bytes[4 &* i]) << 24 | UInt32(bytes[4 &* i &+ 1]) << 16
                         | UInt32(bytes[4 &* i &+ 2]) << 8 | UInt32(bytes[4 &* i &+ 3])
                }
                for i in 16..<64 {
                    let a = w[i &- 15], b = w[i &- 2]
                    let s0 = (a >> 7 | a << 25) ^ (a >> 18 | a << 14) ^ (a >> 3)
                    let s1 = (b >> 17 | b << 15) ^ (b >> 19 | b << 13) ^ (b >> 10)
                    w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
                }
                var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
                for i in 0..<64 {
                    let s1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    hh = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                }
                h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
                h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
            }
        }
    }
}
