#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffuseImage
import DiffusePipeline
import DiffuseServer
import DiffuseTestSupport
import Testing

/// txt2img and img2img over HTTP against diffusers' images for the same parameters (the tiny-sd1 cases of
/// Scripts/fixtures/pipeline_cases.py): pixels within 1 level of 255, the tolerance of the pipeline's own
/// fixture tests (f32 sums in another order can move a value across a rounding boundary).
@Suite struct ServerGenerationTests {
    @Test func txt2imgEqualsDiffusers() async throws {
        // Case "negative": Euler, seed 3, 3 steps, guidance 7.5, 32×32, a negative prompt.
        let expected = try ServerFixture.caseTensor("negative.image").hostContiguous()
        let reference = (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) }
        let answer = try await ServerFixture.withServer { client in
            try await client.post("/sdapi/v1/txt2img", .object([
                "prompt": "a red car on a street", "negative_prompt": "blurry, low quality", "seed": 3, "steps": 3,
                "cfg_scale": 7.5, "width": 32, "height": 32, "sampler_name": "Euler",
                // What webuiapi sends by default: accepted, as A1111 treats them as "off".
                "enable_hr": false, "eta": 1.0, "s_noise": 1, "seed_resize_from_h": 0, "styles": .array([]),
                "override_settings": .object([:]), "alwayson_scripts": .object([:]), "hr_upscaler": "Latent",
            ]))
        }
        #expect(answer.status == 200, "\(answer.body)")
        let images = try decodedImages(answer.body["images"]?.arrayValue ?? [])
        try #require(images.count == 1)
        let diff = maxPixelDifference(images[0].image.pixels.map(Int.init), reference)
        #expect(diff <= 1, "pixels differ from diffusers by up to \(diff)")
        // The PNG's parameters chunk and the info string, as A1111 writes them.
        let info = try JSONDecoder().decode(JSONValue.self, from: Data((answer.body["info"]?.stringValue ?? "").utf8))
        #expect(info["all_seeds"] == .array([3]))
        let infotext = info["infotexts"]?.arrayValue.first?.stringValue ?? ""
        #expect(infotext == "a red car on a street\nNegative prompt: blurry, low quality\nSteps: 3, Sampler: Euler, CFG scale: 7.5, Seed: 3, Size: 32x32, Model hash: bcad293a3b, Model: tiny-sd1, Version: \(DiffuseVersion.tag)")
        #expect(try RGBImage.pngText(data: images[0].bytes, source: "response").contains { $0.key == "parameters" && $0.value == infotext })
    }

    @Test func img2imgEqualsDiffusers() async throws {
        // Case "img2img-euler-a-two": Euler a, seed 17, 4 steps at strength 0.5, two images in one batch.
        let initPixels = try ServerFixture.caseTensor("img2img-euler-a-two.init_image").hostContiguous()
        let (h, w) = (initPixels.size(0), initPixels.size(1))
        let initImage = RGBImage(width: w, height: h, pixels: (0..<initPixels.count).map { UInt8(initPixels.scalar(atFlat: $0)) })
        let expected = try ServerFixture.caseTensor("img2img-euler-a-two.image").hostContiguous()
        let reference = (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) }
        let base64 = "data:image/png;base64," + Data(try initImage.pngData()).base64EncodedString()
        let answer = try await ServerFixture.withServer { client in
            try await client.post("/sdapi/v1/img2img", .object([
                "prompt": "a photo of a cat", "seed": 17, "steps": 4, "cfg_scale": 7.5, "denoising_strength": 0.5,
                "sampler_name": "Euler a", "batch_size": 2, "init_images": .array([.string(base64)]),
                "width": .number(Double(w)), "height": .number(Double(h)), "resize_mode": 0, "mask_blur": 4, "inpainting_fill": 0,
            ]))
        }
        #expect(answer.status == 200, "\(answer.body)")
        let images = try decodedImages(answer.body["images"]?.arrayValue ?? [])
        try #require(images.count == 2)
        let diff = maxPixelDifference(images.flatMap { $0.image.pixels.map(Int.init) }, reference)
        #expect(diff <= 1, "pixels differ from diffusers by up to \(diff)")
    }

    @Test func inpaintingEqualsDiffusers() async throws {
        // Fixtures/inpaint case "unet4-strength075": the 4-channel model inpainting a soft disc at strength 0.75,
        // PNDM ("PLMS"), seed 47, 4 steps. A1111 pastes the kept pixels back over its inpainting outputs: the
        // expectation is diffusers' image with `apply_overlay` ("overlay"). mask_blur 0: diffusers blurs nothing.
        let name = "unet4-strength075", file = "inpaint/cases.safetensors"
        func png(_ key: String) throws -> String {
            let t = try ServerFixture.caseTensor("\(name).\(key)", file: file).hostContiguous()   // [H, W, 3]
            let picture = RGBImage(width: t.size(1), height: t.size(0), pixels: (0..<t.count).map { UInt8(t.scalar(atFlat: $0)) })
            return Data(try picture.pngData()).base64EncodedString()
        }
        let expected = try ServerFixture.caseTensor("\(name).overlay", file: file).hostContiguous()
        let reference = (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) }
        let (initImage, mask) = (try png("init_image"), try png("mask"))
        let answer = try await ServerFixture.withServer { client in
            try await client.post("/sdapi/v1/img2img", .object([
                "prompt": "a photo of a cat", "seed": 47, "steps": 4, "cfg_scale": 7.5, "denoising_strength": 0.75,
                "sampler_name": "PLMS", "width": 32, "height": 32, "init_images": .array([.string(initImage)]),
                "mask": .string(mask), "mask_blur": 0, "inpainting_fill": 1,
            ]))
        }
        #expect(answer.status == 200, "\(answer.body)")
        let images = try decodedImages(answer.body["images"]?.arrayValue ?? [])
        try #require(images.count == 1 && images[0].image.pixels.count == reference.count)
        let diff = maxPixelDifference(images[0].image.pixels.map(Int.init), reference)
        #expect(diff <= 1, "pixels differ from diffusers by up to \(diff)")
        let info = try JSONDecoder().decode(JSONValue.self, from: Data((answer.body["info"]?.stringValue ?? "").utf8))
        // A1111 writes "Mask blur" only when it blurs.
        #expect(info["infotexts"]?.arrayValue.first?.stringValue?.hasSuffix("Denoising strength: 0.75, Version: \(DiffuseVersion.tag)") == true, "\(info)")
    }

    @Test func openAIGenerationEqualsA1111() async throws {
        // The same request through both APIs gives the same image (case "negative" again, compared with diffusers).
        let expected = try ServerFixture.caseTensor("negative.image").hostContiguous()
        let reference = (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) }
        let answer = try await ServerFixture.withServer { client in
            try await client.post("/v1/images/generations", .object([
                "prompt": "a red car on a street", "negative_prompt": "blurry, low quality", "n": 1, "size": "32x32",
                "response_format": "b64_json", "seed": 3, "steps": 3, "cfg_scale": 7.5, "sampler_name": "Euler",
                "model": "dall-e-2",
            ]))
        }
        #expect(answer.status == 200, "\(answer.body)")
        let data = answer.body["data"]?.arrayValue ?? []
        let images = try decodedImages(data.compactMap { $0["b64_json"] })
        try #require(images.count == 1)
        #expect(maxPixelDifference(images[0].image.pixels.map(Int.init), reference) <= 1)
    }

    @Test func loraInPromptEqualsDiffusers() async throws {
        // Fixtures/lora case "kohya-0.8": diffusers' load_lora_weights + set_adapters(0.8), Euler, seed 21, 3 steps.
        let expected = try ServerFixture.caseTensor("kohya-0.8.image", file: "lora/cases.safetensors").hostContiguous()
        let reference = (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) }
        let (answer, loras) = try await ServerFixture.withServer(loraDir: FixturePaths.path("lora"), ownPipeline: true) { client in
            (try await client.post("/sdapi/v1/txt2img", .object([
                "prompt": "a photo of a cat <lora:sd1-kohya:0.8>", "seed": 21, "steps": 3, "cfg_scale": 7.5,
                "width": 32, "height": 32, "sampler_name": "Euler",
            ])), try await client.get("/sdapi/v1/loras"))
        }
        #expect(answer.status == 200, "\(answer.body)")
        #expect(loras.body.arrayValue.contains { $0["name"]?.stringValue == "sd1-kohya" })
        let images = try decodedImages(answer.body["images"]?.arrayValue ?? [])
        try #require(images.count == 1)
        let diff = maxPixelDifference(images[0].image.pixels.map(Int.init), reference)
        #expect(diff <= 1, "pixels differ from diffusers by up to \(diff)")
    }
}
