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
import Hummingbird
import HummingbirdTesting
import Logging

/// The tiny-sd1 fixture pipeline (loaded once) served in-process on an ephemeral port, and helpers to call
/// it over HTTP (AsyncHTTPClient through HummingbirdTesting's `.ahc` framework) and read the answers.
enum ServerFixture {
    nonisolated(unsafe) private static var cached: StableDiffusionPipeline?
    private static let lock = Lock()

    static var modelPath: String { FixturePaths.path("tiny-sd1") }

    static func pipeline() throws -> StableDiffusionPipeline {
        try lock.withLock {
            if let cached { return cached }
            let pipe = try StableDiffusionPipeline(path: modelPath)
            cached = pipe
            return pipe
        }
    }

    /// Starts a server on the fixture model, runs `body` with a client, stops the server.
    /// `ownPipeline`: a fresh pipeline for tests that change its state (LoRAs), else the shared one.
    static func withServer<T: Sendable>(maxQueue: Int = 8, apiKey: String? = nil, loraDir: String? = nil, ownPipeline: Bool = false,
                                        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        var options = DiffuseServer.Options()
        options.port = 0
        options.maxQueue = maxQueue
        options.apiKey = apiKey
        let pipe = ownPipeline ? try StableDiffusionPipeline(path: modelPath) : try pipeline()
        let store = ModelStore(model: modelPath, pipeline: pipe, modelsDir: nil, loraDir: loraDir,
                               load: ModelStore.defaultLoader)
        var logger = Logger(label: "diffuse.serve.test")
        logger.logLevel = .warning
        let app = DiffuseServer(options: options, store: store).makeApplication(logger: logger)
        return try await app.test(.ahc(.http)) { client in try await body(client) }
    }

    /// Case `name` of Fixtures/tiny-sd1/pipeline_cases.safetensors (diffusers' outputs, Scripts/fixtures/pipeline_cases.py).
    static func caseTensor(_ name: String, file: String = "tiny-sd1/pipeline_cases.safetensors") throws -> Tensor {
        try SafeTensorsFile(path: FixturePaths.path(file)).tensor(name)
    }
}

extension TestClientProtocol {
    /// POSTs `json` to `uri`; returns the status, headers and the body parsed as JSON (`.null` when it is not).
    func post(_ uri: String, _ json: JSONValue, headers: HTTPFields = [:]) async throws -> (status: Int, headers: HTTPFields, body: JSONValue) {
        let data = try JSONEncoder().encode(json)
        var fields = headers
        fields[.contentType] = "application/json"
        return try await send(uri, method: .post, headers: fields, body: ByteBuffer(bytes: data))
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> (status: Int, headers: HTTPFields, body: JSONValue) {
        try await send(uri, method: .get, headers: headers, body: nil)
    }

    func send(_ uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws
        -> (status: Int, headers: HTTPFields, body: JSONValue) {
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))) ?? .null
        return (response.status.code, response.headers, json)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { objectValue[key] }

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var arrayValue: [JSONValue] { if case .array(let a) = self { a } else { [] } }
    var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
}

/// The images of an A1111 / OpenAI answer: base64 PNG → RGB pixels, and their `parameters` chunks.
func decodedImages(_ base64: [JSONValue]) throws -> [(image: RGBImage, bytes: [UInt8])] {
    try base64.map { value in
        let bytes = [UInt8](Data(base64Encoded: value.stringValue ?? "") ?? Data())
        return (try RGBImage(data: bytes, source: "response"), bytes)
    }
}

/// Largest |a − b| between two pixel lists.
func maxPixelDifference(_ a: [Int], _ b: [Int]) -> Int {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
