/// What `compile` did for one input shape.
public struct CompileSummary: Sendable, CustomStringConvertible {
    /// The input shapes compiled for (UNet: sample, timesteps, context).
    public var inputShapes: [[Int]]
    /// Nodes captured (after dropping unused ones) and nodes a replay runs.
    public var capturedNodes = 0
    public var replayedNodes = 0
    /// Linear layers whose bias add was fused; bias-free Linears lowered to `.linear`.
    public var fusedBiases = 0
    public var plainLinears = 0
    /// Residual adds fused into a Linear / a 1×1 convolution.
    public var fusedResidualLinears = 0
    public var fusedResidualConvs = 0
    /// Bytes of pre-transposed weight copies.
    public var packedWeightBytes = 0
    /// The arena (0 without a memory plan), and allocations of a replay served from it / from malloc.
    public var arenaBytes = 0
    public var arenaAllocations = 0
    public var mallocAllocations = 0
    /// Replays whose allocation sequence left the plan (the rest of each went to malloc).
    public var divergedReplays = 0
    /// Peak bytes of tensors allocated during the captured (eager) forward, over what was live before it.
    public var eagerPeakBytes = 0
    /// max |compiled − eager| / max |eager| on the capture's inputs.
    public var relativeDifference = 0.0
    /// Wall seconds: capture + passes + plan + checking replay.
    public var seconds = 0.0

    public var description: String {
        let mib = { (b: Int) in "\(Self.decimal(Double(b) / 1_048_576, 1)) MiB" }
        return "compiled \(inputShapes.map { "\($0)" }.joined(separator: " ")): \(capturedNodes) → \(replayedNodes) nodes "
            + "(linear+bias \(fusedBiases), linear+residual \(fusedResidualLinears), conv1×1+residual \(fusedResidualConvs)); "
            + "arena \(mib(arenaBytes)) (last replay: \(arenaAllocations) allocations in it, \(mallocAllocations) outside"
            + (divergedReplays > 0 ? "; \(divergedReplays) replays left the plan" : "") + ") "
            + "vs eager peak \(mib(eagerPeakBytes)); packed weights \(mib(packedWeightBytes)); "
            + "max relative difference \(relativeDifference); \(Self.decimal(seconds, 2)) s"
    }

    /// `value` with `places` decimals (no Foundation).
    static func decimal(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int(scaled / scale), fraction = Int(abs(scaled).truncatingRemainder(dividingBy: scale))
        guard places > 0 else { return "\(whole)" }
        let digits = String(fraction)
        return (value < 0 && whole == 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: places - digits.count) + digits
    }
}
