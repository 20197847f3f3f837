#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
@testable import DiffuseImage

enum ImageTestSupport {
    static func base64(_ s: String) -> [UInt8] { [UInt8](Data(base64Encoded: s)!) }

    /// A fresh empty folder under /tmp, removed by `removeFolder`.
    static func makeFolder() -> String {
        var template = Array("/tmp/diffuse-image-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func listFolder(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func removeFolder(_ path: String) {
        for name in listFolder(path) { unlink(path + "/" + name) }
        rmdir(path)
    }

    static func writeFile(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Bitwise CRC-32 (PNG's polynomial 0xEDB88320), written independently of zlib's.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    /// (type, data range, stored crc, offset) of every chunk, walking the file independently of the reader.
    static func chunks(_ png: [UInt8]) -> [(type: String, data: Range<Int>, crc: UInt32, offset: Int)] {
        var out: [(String, Range<Int>, UInt32, Int)] = []
        var at = 8
        while at + 12 <= png.count {
            let length = Int(be32(png, at))
            let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
            out.append((type, (at + 8)..<(at + 8 + length), be32(png, at + 8 + length), at))
            at += 12 + length
        }
        return out
    }

    /// A test image with varied values: gradients plus a hash.
    static func pattern(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8((x * 255) / max(width - 1, 1)), UInt8((y * 255) / max(height - 1, 1)),
                           UInt8(truncatingIfNeeded: x &* 31 &+ y &* 17 &+ (x * y) % 7)]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// 2·(p/255) − 1 as float32 bit patterns for p = 0…255, from numpy (diffusers' preprocess):
    /// `(2.0 * (np.arange(256, dtype=np.float32) / np.float32(255.0)) - 1.0).view(np.uint32)`;
    /// VaeImageProcessor().preprocess(PIL image) gives the same bits.
    static let preprocessBits: [UInt32] = [
        0xbf800000, 0xbf7dfdfe, 0xbf7bfbfc, 0xbf79f9fa, 0xbf77f7f8, 0xbf75f5f6, 0xbf73f3f4, 0xbf71f1f2,
        0xbf6feff0, 0xbf6dedee, 0xbf6bebec, 0xbf69e9ea, 0xbf67e7e8, 0xbf65e5e6, 0xbf63e3e4, 0xbf61e1e2, 0xbf5fdfe0,
        0xbf5dddde, 0xbf5bdbdc, 0xbf59d9da, 0xbf57d7d8, 0xbf55d5d6, 0xbf53d3d4, 0xbf51d1d2, 0xbf4fcfd0, 0xbf4dcdce,
        0xbf4bcbcc, 0xbf49c9ca, 0xbf47c7c8, 0xbf45c5c6, 0xbf43c3c4, 0xbf41c1c2, 0xbf3fbfc0, 0xbf3dbdbe, 0xbf3bbbbc,
        0xbf39b9ba, 0xbf37b7b8, 0xbf35b5b6, 0xbf33b3b4, 0xbf31b1b2, 0xbf2fafb0, 0xbf2dadae, 0xbf2babac, 0xbf29a9aa,
        0xbf27a7a8, 0xbf25a5a6, 0xbf23a3a4, 0xbf21a1a2, 0xbf1f9fa0, 0xbf1d9d9e, 0xbf1b9b9c, 0xbf19999a, 0xbf179798,
        0xbf159596, 0xbf139394, 0xbf119192, 0xbf0f8f90, 0xbf0d8d8e, 0xbf0b8b8c, 0xbf09898a, 0xbf078788, 0xbf058586,
        0xbf038384, 0xbf018182, 0xbefefefe, 0xbefafafa, 0xbef6f6f6, 0xbef2f2f2, 0xbeeeeeee, 0xbeeaeaea, 0xbee6e6e6,
        0xbee2e2e2, 0xbededede, 0xbedadada, 0xbed6d6d6, 0xbed2d2d2, 0xbececece, 0xbecacaca, 0xbec6c6c6, 0xbec2c2c2,
        0xbebebebe, 0xbebababa, 0xbeb6b6b6, 0xbeb2b2b2, 0xbeaeaeae, 0xbeaaaaaa, 0xbea6a6a6, 0xbea2a2a2, 0xbe9e9e9e,
        0xbe9a9a9a, 0xbe969696, 0xbe929292, 0xbe8e8e8e, 0xbe8a8a8a, 0xbe868686, 0xbe828282, 0xbe7cfcfc, 0xbe74f4f4,
        0xbe6cecec, 0xbe64e4e4, 0xbe5cdcdc, 0xbe54d4d4, 0xbe4ccccc, 0xbe44c4c4, 0xbe3cbcbc, 0xbe34b4b4, 0xbe2cacac,
        0xbe24a4a4, 0xbe1c9c9c, 0xbe149494, 0xbe0c8c8c, 0xbe048484, 0xbdf8f8f8, 0xbde8e8e8, 0xbdd8d8d8, 0xbdc8c8c8,
        0xbdb8b8b8, 0xbda8a8a8, 0xbd989898, 0xbd888888, 0xbd70f0f0, 0xbd50d0d0, 0xbd30b0b0, 0xbd109090, 0xbce0e0e0,
        0xbca0a0a0, 0xbc40c0c0, 0xbb808080, 0x3b808100, 0x3c40c100, 0x3ca0a0c0, 0x3ce0e100, 0x3d1090a0, 0x3d30b0c0,
        0x3d50d0e0, 0x3d70f100, 0x3d888890, 0x3d9898a0, 0x3da8a8b0, 0x3db8b8c0, 0x3dc8c8d0, 0x3dd8d8e0, 0x3de8e8f0,
        0x3df8f900, 0x3e048488, 0x3e0c8c90, 0x3e149498, 0x3e1c9ca0, 0x3e24a4a8, 0x3e2cacb0, 0x3e34b4b8, 0x3e3cbcc0,
        0x3e44c4c8, 0x3e4cccd0, 0x3e54d4d8, 0x3e5cdce0, 0x3e64e4e8, 0x3e6cecf0, 0x3e74f4f8, 0x3e7cfd00, 0x3e828284,
        0x3e868688, 0x3e8a8a8c, 0x3e8e8e90, 0x3e929294, 0x3e969698, 0x3e9a9a9c, 0x3e9e9ea0, 0x3ea2a2a4, 0x3ea6a6a8,
        0x3eaaaaac, 0x3eaeaeb0, 0x3eb2b2b4, 0x3eb6b6b8, 0x3ebababc, 0x3ebebec0, 0x3ec2c2c4, 0x3ec6c6c8, 0x3ecacacc,
        0x3ececed0, 0x3ed2d2d4, 0x3ed6d6d8, 0x3edadadc, 0x3ededee0, 0x3ee2e2e4, 0x3ee6e6e8, 0x3eeaeaec, 0x3eeeeef0,
        0x3ef2f2f4, 0x3ef6f6f8, 0x3efafafc, 0x3efeff00, 0x3f018182, 0x3f038384, 0x3f058586, 0x3f078788, 0x3f09898a,
        0x3f0b8b8c, 0x3f0d8d8e, 0x3f0f8f90, 0x3f119192, 0x3f139394, 0x3f159596, 0x3f179798, 0x3f19999a, 0x3f1b9b9c,
        0x3f1d9d9e, 0x3f1f9fa0, 0x3f21a1a2, 0x3f23a3a4, 0x3f25a5a6, 0x3f27a7a8, 0x3f29a9aa, 0x3f2babac, 0x3f2dadae,
        0x3f2fafb0, 0x3f31b1b2, 0x3f33b3b4, 0x3f35b5b6, 0x3f37b7b8, 0x3f39b9ba, 0x3f3bbbbc, 0x3f3dbdbe, 0x3f3fbfc0,
        0x3f41c1c2, 0x3f43c3c4, 0x3f45c5c6, 0x3f47c7c8, 0x3f49c9ca, 0x3f4bcbcc, 0x3f4dcdce, 0x3f4fcfd0, 0x3f51d1d2,
        0x3f53d3d4, 0x3f55d5d6, 0x3f57d7d8, 0x3f59d9da, 0x3f5bdbdc, 0x3f5dddde, 0x3f5fdfe0, 0x3f61e1e2, 0x3f63e3e4,
        0x3f65e5e6, 0x3f67e7e8, 0x3f69e9ea, 0x3f6bebec, 0x3f6dedee, 0x3f6feff0, 0x3f71f1f2, 0x3f73f3f4, 0x3f75f5f6,
        0x3f77f7f8, 0x3f79f9fa, 0x3f7bfbfc, 0x3f7dfdfe, 0x3f800000,
    ]
}
