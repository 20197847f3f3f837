import DiffuseCore
import CZlib

/// zlib streams for PNG: compress an IDAT payload, inflate IDAT into a buffer of known size, inflate
/// compressed text with a size cap.
enum Zlib {
    /// zlib-format (RFC 1950) compression at `level` (0–9).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in
                compress2(o.baseAddress, &bound, i.baseAddress, uLong(i.count), level)
            }
        }
        require(status == Z_OK, "zlib compress2 failed (\(status))")
        out.removeLast(out.count - Int(bound))
        return out
    }

    enum InflateFailure: Error {
        /// The stream stopped before `expected` bytes came out (input ended).
        case shortInput(produced: Int)
        /// zlib refused the data; its message.
        case corrupt(String)
        /// More than `limit` bytes would come out.
        case tooLarge
    }

    /// Inflates the concatenation of `parts` into exactly `expected` bytes (the stream may hold more;
    /// the rest is ignored as libpng and Pillow do).
    static func inflate(_ parts: [ArraySlice<UInt8>], expected: Int) throws(InflateFailure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var produced = 0
        var failure: InflateFailure? = nil
        out.withUnsafeMutableBufferPointer { o in
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(o.count)
            partLoop: for part in parts where !part.isEmpty {
                part.withUnsafeBufferPointer { p in
                    stream.next_in = UnsafeMutablePointer(mutating: p.baseAddress)
                    stream.avail_in = uInt(p.count)
                    while stream.avail_in > 0 && stream.avail_out > 0 {
                        let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                        if status == Z_STREAM_END { break }
                        if status == Z_BUF_ERROR { break }
                        if status != Z_OK {
                            let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                            failure = .corrupt(message)
                            return
                        }
                    }
                }
                if failure != nil || stream.avail_out == 0 { break partLoop }
            }
            produced = o.count - Int(stream.avail_out)
        }
        if let failure { throw failure }
        if produced < expected { throw .shortInput(produced: produced) }
        return out
    }

    /// Inflates a whole zlib stream of unknown size, refusing more than `limit` bytes.
    static func inflate(_ input: ArraySlice<UInt8>, limit: Int) throws(InflateFailure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 15)
        var failure: InflateFailure? = nil
        var ended = false
        input.withUnsafeBufferPointer { p in
            stream.next_in = UnsafeMutablePointer(mutating: p.baseAddress)
            stream.avail_in = uInt(p.count)
            while !ended {
                let (status, n): (Int32, Int) = buffer.withUnsafeMutableBufferPointer { b in
                    stream.next_out = b.baseAddress
                    stream.avail_out = uInt(b.count)
                    let s = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (s, b.count - Int(stream.avail_out))
                }
                out.append(contentsOf: buffer[0..<n])
                if out.count > limit { failure = .tooLarge; return }
                switch status {
                case Z_STREAM_END: ended = true
                case Z_OK: continue
                case Z_BUF_ERROR: failure = .shortInput(produced: out.count); return
                default:
                    failure = .corrupt(stream.msg.map { String(cString: $0) } ?? "error \(status)"); return
                }
            }
        }
        if let failure { throw failure }
        return out
    }
}
