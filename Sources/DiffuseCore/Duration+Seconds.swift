extension Duration {
    /// The duration in seconds, as a `Double` (timings printed by the pipeline, the server and the CLI).
    public var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) * 1e-18
    }
}
