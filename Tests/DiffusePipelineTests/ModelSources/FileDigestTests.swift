import Foundation
import Testing
import DiffuseCore
import DiffuseSources
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// SHA-256 against the FIPS 180-2 / NIST CAVS example vectors and `sha256sum`.
@Suite("SHA-256")
struct FileDigestTests {
    @Test func nistVectors() {
        #expect(FileDigest.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(FileDigest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileDigest.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(FileDigest.hex(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    /// Fed in pieces of every awkward size, the digest is the same as in one go (block boundaries,
    /// padding at 55/56/64 bytes).
    @Test func streamingMatchesOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [55, 56, 63, 64, 65, 119, 120, 1000] {
            let whole = FileDigest.hex(message[0..<length])
            var hash = FileDigest()
            var offset = 0
            var step = 1
            while offset < length {
                let end = min(length, offset + step)
                hash.update(Array(message[offset..<end]))
                offset = end
                step = step % 70 + 13
            }
            #expect(hash.finalize() == whole, "length \(length)")
        }
    }

    @Test func fileDigestMatchesSha256sum() {
        // `sha256sum Fixtures/tiny-sd1/vae/diffusion_pytorch_model.safetensors`
        #expect(FileDigest.hex(ofFile: FixturePaths.path("tiny-sd1") + "/vae/diffusion_pytorch_model.safetensors")
                == "5baf08784d9ebe061a750be91bbbe6be13cbf97da4417ef789c3794bc9987212")
        #expect(FileDigest.hex(ofFile: "/no/such/file") == nil)
    }
}
