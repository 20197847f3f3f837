/// What one request may ask for: larger asks are answered 4xx naming the field, before any work.
public struct ServerLimits: Sendable {
    /// Request body in bytes (base64 images included).
    public var maxBodyBytes = 20 * 1024 * 1024
    /// Image side in pixels (generated and uploaded).
    public var maxSide = 2048
    /// Pixels of one image (width × height), generated or uploaded (checked on the header before decoding).
    public var maxPixels = 2048 * 2048
    public var maxSteps = 150
    /// Images per batch (`batch_size`, OpenAI's `n`) and iterations (`n_iter`).
    public var maxBatch = 8
    public var maxIterations = 16

    public init() {}
}
