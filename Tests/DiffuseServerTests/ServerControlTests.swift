#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseServer
import Hummingbird
import Testing

/// The queue (429 when full), progress and interrupt during a long job, the API key, and bad inputs → 4xx
/// naming the field.
@Suite struct ServerControlTests {
    /// A job of many steps on the tiny model (each step is a few milliseconds).
    static let longJob: JSONValue = .object(["prompt": "a photo of a cat", "seed": 1, "steps": 150, "n_iter": 16,
                                             "width": 32, "height": 32, "sampler_name": "Euler"])

    @Test func fullQueueProgressAndInterrupt() async throws {
        try await ServerFixture.withServer(maxQueue: 0) { client in
            async let long = client.post("/sdapi/v1/txt2img", Self.longJob)
            // Wait until the long job runs (progress > 0).
            var progress = 0.0
            for _ in 0..<400 where progress == 0 {
                try await Task.sleep(for: .milliseconds(25))
                progress = try await client.get("/sdapi/v1/progress").body["progress"]?.numberValue ?? 0
            }
            #expect(progress > 0 && progress < 1, "progress \(progress)")
            // No room behind it: 429 with Retry-After.
            let rejected = try await client.post("/sdapi/v1/txt2img", .object(["prompt": "x", "steps": 1, "width": 32, "height": 32]))
            #expect(rejected.status == 429)
            #expect(Int(rejected.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Interrupt: the long job answers 200 early with the image of its first iteration.
            #expect(try await client.post("/sdapi/v1/interrupt", .object([:])).status == 200)
            let answer = try await long
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.body["images"]?.arrayValue.count == 1)
            // Then the queue takes work again, and /metrics counts the rejection.
            let metrics = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            #expect(String(buffer: metrics.body).contains("diffuse_rejected_total 1"))
        }
    }

    @Test func apiKey() async throws {
        try await ServerFixture.withServer(apiKey: "s3cret") { client in
            #expect(try await client.get("/health").status == 200)
            #expect(try await client.get("/sdapi/v1/samplers").status == 401)
            #expect(try await client.get("/sdapi/v1/samplers", headers: [.authorization: "Bearer wrong"]).status == 401)
            let samplers = try await client.get("/sdapi/v1/samplers", headers: [.authorization: "Bearer s3cret"])
            #expect(samplers.status == 200)
            #expect(samplers.body.arrayValue.compactMap { $0["name"]?.stringValue }
                    == ["Euler a", "Euler", "LMS", "DDIM", "PLMS", "DPM++ 2M", "LCM"])
        }
    }

    @Test func badInputs() async throws {
        try await ServerFixture.withServer { client in
            let malformed = try await client.send("/sdapi/v1/txt2img", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: "{\"prompt\": "))
            #expect(malformed.status == 400)
            let cases: [(uri: String, body: JSONValue, status: Int, field: String)] = [
                ("/sdapi/v1/txt2img", .object(["steps": "many"]), 422, "steps"),
                ("/sdapi/v1/txt2img", .object(["enable_hr": true]), 422, "enable_hr"),
                ("/sdapi/v1/txt2img", .object(["steps": 100_000]), 422, "steps"),
                ("/sdapi/v1/txt2img", .object(["width": 30]), 422, "width"),
                ("/sdapi/v1/txt2img", .object(["sampler_name": "Heun"]), 422, "sampler_name"),
                ("/sdapi/v1/txt2img", .object(["batch_size": 1000]), 422, "batch_size"),
                ("/sdapi/v1/txt2img", .object(["prompt": "a (cat:1.2.3)"]), 422, "prompt"),
                ("/sdapi/v1/img2img", .object(["init_images": .array(["not base64!"])]), 422, "init_images[0]"),
                ("/sdapi/v1/img2img", .object(["init_images": .array(["iVBORw0KGgo="]), "resize_mode": 3]), 422, "resize_mode"),
                ("/sdapi/v1/img2img", .object(["init_images": .array(["iVBORw0KGgo="]), "mask": "iVBORw0KGgo=",
                                               "inpainting_fill": 2]), 422, "inpainting_fill"),
                ("/sdapi/v1/img2img", .object(["init_images": .array(["iVBORw0KGgo="]), "width": 4096, "height": 4096]), 422, "width"),
                ("/v1/images/generations", .object(["prompt": "x", "response_format": "url"]), 400, "response_format"),
                ("/v1/images/generations", .object(["prompt": "x", "size": "big"]), 400, "size"),
            ]
            for c in cases {
                let answer = try await client.post(c.uri, c.body)
                let message = answer.body["detail"]?.stringValue ?? answer.body["error"]?["message"]?.stringValue ?? ""
                #expect(answer.status == c.status, "\(c.body): \(answer.status) \(message)")
                #expect(message.hasPrefix(c.field + ":"), "\(c.body): \(message)")
            }
        }
    }
}
