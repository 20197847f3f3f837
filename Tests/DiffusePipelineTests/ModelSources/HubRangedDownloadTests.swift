@testable import DiffuseSources
import Foundation
import Testing

/// Files larger than `HubClient.rangeBytes` come in ranges, one request each (so that what
/// FoundationNetworking buffers ahead of the disk stays within one range): the bytes and checksum are
/// the file's, a broken-off range resumes where it stopped, and a server that ignores Range still works.
@Suite struct HubRangedDownloadTests {
    static let file = "unet/diffusion_pytorch_model.safetensors"   // 4.5 MB

    func download(_ bed: HubTestBed, rangeBytes: Int) throws -> (digest: String, content: Data?) {
        var client = HubClient(endpoint: bed.server.base, token: nil, model: "org/tiny-sd1")
        client.rangeBytes = rangeBytes
        let content = bed.hub.files[Self.file]!
        let target = bed.cache + "/ranged.incomplete"
        let digest = try client.download(URL(string: bed.server.base + "/cdn/" + bed.hub.etag(Self.file))!, to: target,
                                         expectedSize: content.count, file: Self.file, progress: nil)
        return (digest, FileManager.default.contents(atPath: target))
    }

    @Test func largeFilesComeInRanges() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let content = bed.hub.files[Self.file]!
        let (digest, written) = try download(bed, rangeBytes: 1 << 20)
        #expect(written == content)
        #expect(digest == bed.hub.etag(Self.file))
        let ranges = bed.hub.rangeRequests
        #expect(ranges.count == (content.count + (1 << 20) - 1) >> 20, "\(ranges)")
        #expect(ranges.first == "bytes=0-1048575")
        #expect(ranges.last == "bytes=\((content.count >> 20) << 20)-", "the last range asks for the rest")
    }

    @Test func brokenRangeResumesAndIgnoredRangeStillWorks() throws {
        let bed = try HubTestBed()
        defer { bed.close() }
        let content = bed.hub.files[Self.file]!
        bed.hub.dropOnce = [Self.file]          // the first answer breaks off halfway through its range
        let (digest, written) = try download(bed, rangeBytes: 1 << 20)
        #expect(written == content && digest == bed.hub.etag(Self.file))
        #expect(bed.hub.rangeRequests.prefix(2) == ["bytes=0-1048575", "bytes=524288-1572863"], "\(bed.hub.rangeRequests)")

        let plain = try HubTestBed()
        defer { plain.close() }
        plain.hub.ignoreRange = true              // 200 with the whole file, whatever was asked
        let whole = try download(plain, rangeBytes: 1 << 20)
        #expect(whole.content == content && whole.digest == plain.hub.etag(Self.file))
    }
}
