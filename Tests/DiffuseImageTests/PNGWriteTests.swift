import Testing
@testable import DiffuseImage

@Suite struct PNGWriteTests {
    @Test(arguments: [(1, 1), (7, 5), (64, 48), (3, 200)])
    func roundTripsThroughAFile(size: (Int, Int)) throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let image = ImageTestSupport.pattern(width: size.0, height: size.1)
        let path = folder + "/out.png"
        try image.writePNG(to: path)
        #expect(try RGBImage(contentsOf: path) == image)
        #expect(ImageTestSupport.listFolder(folder) == ["out.png"])  // no temporary file left
    }

    @Test func structureAndCRCs() throws {
        let image = ImageTestSupport.pattern(width: 7, height: 5)
        let png = try image.pngData(text: [("parameters", "a cat, Steps: 20")])
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = ImageTestSupport.chunks(png)
        #expect(chunks.map(\.type) == ["IHDR", "tEXt", "IDAT", "IEND"])
        // IHDR: 7 × 5, depth 8, colour type 2 (RGB), deflate, filter 0, no interlace.
        #expect(Array(png[chunks[0].data]) == [0, 0, 0, 7, 0, 0, 0, 5, 8, 2, 0, 0, 0])
        #expect(Array(png[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8))
        // IEND is the last 12 bytes, with its well-known CRC.
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        for chunk in chunks {
            let crc = ImageTestSupport.crc32(png[(chunk.offset + 4)..<chunk.data.upperBound])
            #expect(crc == chunk.crc, "CRC of \(chunk.type)")
        }
        #expect(chunks.last!.data.upperBound + 4 == png.count)
        // zlib header on IDAT (deflate, 32K window) and a valid header check value.
        let idat = Array(png[chunks[2].data])
        #expect(idat[0] & 0x0F == 8 && (Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0)
    }

    @Test func textChunksRoundTripInOrder() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let text: [(key: String, value: String)] = [
            ("parameters", "a photo of an astronaut\nNegative prompt: blurry\nSteps: 50, Sampler: PNDM, Seed: 42"),
            ("Comment", "café crème — 猫 🐱"),          // not Latin-1 → iTXt
            ("Software", "Diffuse"),
            ("Latin1 ÄÖÜ", "naïve façade ±½"),        // Latin-1 keyword and value → tEXt
            ("empty", ""),
        ]
        let path = folder + "/t.png"
        try ImageTestSupport.pattern(width: 3, height: 2).writePNG(to: path, text: text)
        let read = try RGBImage.pngText(contentsOf: path)
        #expect(read.map(\.key) == text.map(\.key))
        #expect(read.map(\.value) == text.map(\.value))
        let png = try ImageTestSupport.pattern(width: 3, height: 2).pngData(text: text)
        #expect(ImageTestSupport.chunks(png).map(\.type) == ["IHDR", "tEXt", "iTXt", "tEXt", "tEXt", "tEXt", "IDAT", "IEND"])
        // The Latin-1 value is stored as Latin-1 bytes, one per character.
        let fourth = ImageTestSupport.chunks(png)[4]
        #expect(Array(png[fourth.data]) == [0x4C, 0x61, 0x74, 0x69, 0x6E, 0x31, 0x20, 0xC4, 0xD6, 0xDC, 0]
                + [0x6E, 0x61, 0xEF, 0x76, 0x65, 0x20, 0x66, 0x61, 0xE7, 0x61, 0x64, 0x65, 0x20, 0xB1, 0xBD])
    }

    @Test func readsZTXtAndCompressedITXt() throws {
        // Compressed text as other tools write it (Pillow's add_text(zip=True), add_itxt(zip=True)),
        // with a language tag and translated keyword, spliced in before IEND.
        var png = try RGBImage(width: 1, height: 1, pixels: [1, 2, 3]).pngData()
        let iend = Array(png.suffix(12))
        png.removeLast(12)
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            PNGChunk.append(type, data, to: &out)
            return out
        }
        let z = String(repeating: "squeezed ", count: 20)
        let i = String(repeating: "grüße ", count: 20)
        png += chunk("zTXt", Array("z".utf8) + [0, 0] + Zlib.compress(Array(z.utf8)))
        png += chunk("iTXt", Array("i".utf8) + [0, 1, 0] + Array("de".utf8) + [0] + Array("Grüße".utf8) + [0]
                     + Zlib.compress(Array(i.utf8)))
        png += iend
        let text = try RGBImage.pngText(data: png, source: "mem")
        #expect(text.map(\.key) == ["z", "i"])
        #expect(text.map(\.value) == [z, i])
        #expect(try RGBImage(data: png, source: "mem").pixels == [1, 2, 3])
    }

    @Test func badKeywordsAreRefused() {
        let image = ImageTestSupport.pattern(width: 1, height: 1)
        for key in ["", String(repeating: "k", count: 80), " lead", "trail ", "two  spaces", "tab\tkey", "猫"] {
            #expect(throws: ImageError.self, "keyword \(key.debugDescription)") {
                _ = try image.pngData(text: [(key, "v")])
            }
        }
        #expect(throws: ImageError.self) { _ = try image.pngData(text: [("k", "nul\u{0}猫")]) }
        #expect(throws: ImageError.self) { _ = try image.pngData(text: [("k", "nul\u{0}")]) }
        #expect((try? image.pngData(text: [(String(repeating: "k", count: 79), "v")])) != nil)
    }

    @Test func writingIntoAMissingFolderFailsAndLeavesNothing() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let image = ImageTestSupport.pattern(width: 2, height: 2)
        do {
            try image.writePNG(to: folder + "/missing/out.png")
            Issue.record("expected an error")
        } catch let error as ImageError {
            #expect(error.kind == .unwritable)
            #expect(error.description.contains("does not exist"))
            #expect(error.description.contains(folder + "/missing/out.png"))
        }
        #expect(ImageTestSupport.listFolder(folder).isEmpty)
    }

    @Test func badTextLeavesNoFileAndKeepsTheOldOne() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let path = folder + "/out.png"
        let old = ImageTestSupport.pattern(width: 2, height: 2)
        try old.writePNG(to: path)
        #expect(throws: ImageError.self) {
            try ImageTestSupport.pattern(width: 3, height: 3).writePNG(to: path, text: [("", "x")])
        }
        #expect(ImageTestSupport.listFolder(folder) == ["out.png"])
        #expect(try RGBImage(contentsOf: path) == old)
        // Overwriting works and replaces the content.
        let new = ImageTestSupport.pattern(width: 5, height: 1)
        try new.writePNG(to: path)
        #expect(try RGBImage(contentsOf: path) == new)
        #expect(ImageTestSupport.listFolder(folder) == ["out.png"])
    }

    @Test func writingOverAFolderFailsAndLeavesNoTemporaryFile() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder + "/sub"); ImageTestSupport.removeFolder(folder) }
        mkdirForTest(folder + "/sub")
        #expect(throws: ImageError.self) { try ImageTestSupport.pattern(width: 1, height: 1).writePNG(to: folder + "/sub") }
        #expect(ImageTestSupport.listFolder(folder) == ["sub"])
        #expect(ImageTestSupport.listFolder(folder + "/sub").isEmpty)
    }
}

#if canImport(Glibc)
import Glibc
#endif
func mkdirForTest(_ path: String) { mkdir(path, 0o755) }
