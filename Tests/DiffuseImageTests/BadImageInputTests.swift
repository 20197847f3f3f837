import DiffuseTestSupport
import Testing
@testable import DiffuseImage

/// Broken files give an `ImageError` of the right kind that names the file — never a crash.
@Suite struct BadImageInputTests {
    static let png = ImageTestSupport.base64(ImageFixtures.all["rgb8"]!.file)
    static let interlaced = ImageTestSupport.base64(ImageFixtures.all["interlacedRGBA16"]!.file)
    static let jpeg = ImageTestSupport.base64(ImageFixtures.all["jpegBaseline420"]!.file)
    static let progressive = ImageTestSupport.base64(ImageFixtures.all["jpegProgressive"]!.file)

    func error(_ bytes: [UInt8], _ source: String = "input.png") -> ImageError? {
        do {
            _ = try RGBImage(data: bytes, source: source)
            return nil
        } catch let error as ImageError {
            #expect(error.description.hasPrefix(source + ": "))
            return error
        } catch {
            Issue.record("not an ImageError: \(error)")
            return nil
        }
    }

    @Test func missingFileAndFolder() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        #expect(throws: ImageError(.notFound, path: folder + "/nope.png", "no such file — check the path")) {
            _ = try RGBImage(contentsOf: folder + "/nope.png")
        }
        do {
            _ = try RGBImage(contentsOf: folder)
            Issue.record("a folder was read")
        } catch let e as ImageError { #expect(e.kind == .unreadable) }
    }

    @Test func emptyFile() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        ImageTestSupport.writeFile([], to: folder + "/empty.png")
        do {
            _ = try RGBImage(contentsOf: folder + "/empty.png")
            Issue.record("an empty file was read")
        } catch let e as ImageError {
            #expect(e.kind == .unsupportedFormat)
            #expect(e.description.contains("empty"))
            #expect(e.description.contains("empty.png"))
        }
    }

    @Test func notAnImage() {
        var generator = SystemRandomNumberGenerator()
        for n in [1, 2, 7, 100, 5000] {
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.starts(with: [0x89, 0x50]) || bytes.starts(with: [0xFF, 0xD8]) { bytes[0] = 0 }
            #expect(error(bytes)?.kind == .unsupportedFormat)
        }
        let gif = error(Array("GIF89a....".utf8))
        #expect(gif?.description.contains("GIF") == true)
        #expect(gif?.description.contains("47 49 46 38") == true)
        #expect(error(Array("<!DOCTYPE html>".utf8))?.description.contains("HTML") == true)
        // A PNG whose CRLF was turned into LF by a text-mode transfer.
        var mangled = Self.png
        mangled.remove(at: 4)
        #expect(error(mangled)?.description.contains("damaged PNG") == true)
    }

    @Test func truncatedPNGAtEveryKindOfPoint() {
        let chunks = ImageTestSupport.chunks(Self.png)
        var cuts = [3, 8, 9, 20, 33, Self.png.count - 1, Self.png.count - 12]
        for c in chunks { cuts += [c.offset + 2, c.offset + 6, c.data.lowerBound + c.data.count / 2, c.data.upperBound + 2] }
        for cut in Set(cuts) where cut < Self.png.count {
            let e = error(Array(Self.png.prefix(cut)))
            #expect(e?.kind == .truncated || (cut < 8 && e?.kind == .unsupportedFormat), "cut at \(cut): \(String(describing: e))")
        }
        // Every single length from 0 to the full file: never a crash, always an error.
        for cut in 0..<Self.interlaced.count {
            #expect(error(Array(Self.interlaced.prefix(cut))) != nil, "cut at \(cut)")
        }
    }

    @Test func crcMismatch() {
        let chunks = ImageTestSupport.chunks(Self.png)
        for chunk in chunks {
            var bad = Self.png
            bad[chunk.data.upperBound] ^= 0x01  // the CRC itself
            let e = error(bad)
            #expect(e?.kind == .corrupt)
            #expect(e?.description.contains("CRC") == true && e?.description.contains(chunk.type) == true)
            if !chunk.data.isEmpty {
                var flipped = Self.png
                flipped[chunk.data.lowerBound] ^= 0x40  // the data
                #expect(error(flipped)?.kind == .corrupt)
            }
        }
    }

    /// Rewrites a chunk's data and fixes its CRC, so the reader has to look inside.
    func withChunk(_ type: String, of png: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        let c = ImageTestSupport.chunks(png).first { $0.type == type }!
        var data = Array(png[c.data])
        edit(&data)
        var out = Array(png[..<c.offset])
        PNGChunk.append(type, data, to: &out)
        out += png[(c.data.upperBound + 4)...]
        return out
    }

    @Test func badZlibStreamAndFilter() {
        let garbage = withChunk("IDAT", of: Self.png) { d in for i in 2..<d.count { d[i] = UInt8(truncatingIfNeeded: i &* 97) } }
        let e = error(garbage)
        #expect(e?.kind == .corrupt && e?.description.contains("zlib") == true, "\(String(describing: e))")
        let short = withChunk("IDAT", of: Self.png) { d in d = Zlib.compress([0, 1, 2]) }
        #expect(error(short)?.kind == .truncated)
        let badFilter = withChunk("IDAT", of: Self.png) { d in
            var raw = (try? Zlib.inflate([d[...]], expected: 7 * 28)) ?? []
            raw[0] = 9
            d = Zlib.compress(raw)
        }
        #expect(error(badFilter)?.description.contains("filter type 9") == true)
    }

    @Test func badHeaders() {
        func ihdr(_ edit: @escaping (inout [UInt8]) -> Void) -> ImageError? {
            error(withChunk("IHDR", of: Self.png, edit))
        }
        func put(_ v: UInt32, at i: Int, _ d: inout [UInt8]) {
            d[i] = UInt8(v >> 24); d[i + 1] = UInt8((v >> 16) & 255); d[i + 2] = UInt8((v >> 8) & 255); d[i + 3] = UInt8(v & 255)
        }
        #expect(ihdr { put(0, at: 0, &$0) }?.kind == .badDimensions)
        #expect(ihdr { put(0, at: 4, &$0) }?.kind == .badDimensions)
        let huge = ihdr { put(0x7FFF_FFFF, at: 0, &$0); put(0x7FFF_FFFF, at: 4, &$0) }
        #expect(huge?.kind == .badDimensions && huge?.description.contains("16384") == true)
        #expect(ihdr { put(16_385, at: 0, &$0); put(1, at: 4, &$0) }?.kind == .badDimensions)
        #expect(ihdr { put(12_000, at: 0, &$0); put(12_000, at: 4, &$0) }?.kind == .badDimensions)  // 144 MP
        #expect(ihdr { put(0xFFFF_FFFF, at: 0, &$0) }?.kind != nil)
        #expect(ihdr { $0[8] = 3 }?.description.contains("bit depth 3") == true)
        #expect(ihdr { $0[9] = 5 }?.description.contains("colour type 5") == true)
        #expect(ihdr { $0[12] = 2 }?.description.contains("interlace") == true)
        #expect(ihdr { $0.append(0) }?.kind == .corrupt)
        // A palette image without PLTE.
        #expect(ihdr { $0[9] = 3 }?.description.contains("PLTE") == true)
        // No IDAT at all.
        let noData = ImageTestSupport.chunks(Self.png).filter { $0.type != "IDAT" }
            .flatMap { Self.png[$0.offset..<($0.data.upperBound + 4)] }
        #expect(error(Array(Self.png.prefix(8)) + noData)?.description.contains("IDAT") == true)
    }

    @Test func truncatedJPEGs() {
        for source in [Self.jpeg, Self.progressive] {
            for cut in [3, 4, 10, 40, 100, 200, source.count / 2, source.count - 40, source.count - 2] {
                let e = error(Array(source.prefix(cut)), "cut.jpg")
                #expect(e?.kind == .truncated || e?.kind == .corrupt, "cut at \(cut): \(String(describing: e))")
            }
            for cut in stride(from: 0, to: source.count, by: 7) {
                #expect(error(Array(source.prefix(cut)), "cut.jpg") != nil, "cut at \(cut)")
            }
        }
    }

    @Test func garbageJPEGs() {
        var generator = SystemRandomNumberGenerator()
        for n in [0, 1, 10, 1000] {
            let bytes = [0xFF, 0xD8, 0xFF] + (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let e = error(bytes, "garbage.jpg")
            // A random first byte may name a lossless/hierarchical SOF: then "unsupported variant".
            #expect(e?.kind == .corrupt || e?.kind == .truncated || e?.kind == .unsupportedFormat,
                    "\(String(describing: e))")
        }
        // The libjpeg message is passed on.
        let e = error([0xFF, 0xD8, 0xFF, 0x00, 0x00, 0x00], "garbage.jpg")
        #expect(e?.description.contains("libjpeg") == true, "\(String(describing: e))")
        // Random damage after the headers: either decodes (libjpeg warns and carries on, as in Pillow)
        // or fails cleanly.
        for i in 0..<50 {
            var bad = Self.progressive
            for _ in 0..<8 { bad[Int.random(in: 3..<bad.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? RGBImage(data: bad, source: "damaged\(i).jpg")
        }
    }

    @Test func hugeJPEGDimensionsAreRefusedBeforeDecoding() {
        // Patch the SOF0 height/width to 60000 × 60000.
        var bad = Self.jpeg
        let sof = (0..<(bad.count - 1)).first { bad[$0] == 0xFF && bad[$0 + 1] == 0xC0 }!
        bad[sof + 5] = 0xEA; bad[sof + 6] = 0x60; bad[sof + 7] = 0xEA; bad[sof + 8] = 0x60
        let e = error(bad, "huge.jpg")
        #expect(e?.kind == .badDimensions, "\(String(describing: e))")
    }
}

extension BadImageInputTests {
    @Test func tinyFileClaimingAHugeImageIsRefusedBeforeAllocating() {
        // 10000 × 10000 RGBA16 would need 800 MB; the file has a few bytes of IDAT.
        let bad = withChunk("IHDR", of: Self.png) { d in
            d = [0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 16, 6, 0, 0, 0]
        }
        let e = error(bad)
        #expect(e?.kind == .truncated && e?.description.contains("far too few") == true, "\(String(describing: e))")
    }

    @Test func truncatedJPEGSaysSo() {
        let e = error(Array(Self.progressive.prefix(Self.progressive.count / 2)), "half.jpg")
        #expect(e?.kind == .truncated && e?.description.contains("cut short") == true, "\(String(describing: e))")
    }

    @Test func unsupportedJPEGVariantsSaySo() {
        var twelveBit = Self.jpeg
        let sof = (0..<(twelveBit.count - 1)).first { twelveBit[$0] == 0xFF && twelveBit[$0 + 1] == 0xC0 }!
        twelveBit[sof + 4] = 12
        let e = error(twelveBit, "12bit.jpg")
        #expect(e?.kind == .unsupportedFormat && e?.description.contains("precision") == true, "\(String(describing: e))")
        var lossless = Self.jpeg
        lossless[sof + 1] = 0xC3
        let l = error(lossless, "lossless.jpg")
        #expect(l?.kind == .unsupportedFormat, "\(String(describing: l))")
    }
}
