/// Which steps `compile` takes after capturing the graph (all on by default except where measured not
/// to help; see README "Compile").
public struct CompileOptions: Sendable, Hashable {
    /// `LinearFusion`: matmul + bias → one GEMM; bias-free Linears become `.linear` nodes.
    public var fuseLinear = true
    /// `ResidualFusion`: residual adds into the preceding Linear / 1×1 convolution.
    public var fuseResidual = true
    /// `WeightPrepacking`: Wᵀ stored row-major for large-M Linears (costs a copy of those weights).
    public var prepackWeights = false
    /// The memory plan: intermediates in one arena, placed by liveness.
    public var planMemory = true

    public init(fuseLinear: Bool = true, fuseResidual: Bool = true, prepackWeights: Bool = false,
                planMemory: Bool = true) {
        self.fuseLinear = fuseLinear
        self.fuseResidual = fuseResidual
        self.prepackWeights = prepackWeights
        self.planMemory = planMemory
    }

    /// Capture and replay only: no pass, no plan (the reference the passes are tested against).
    public static let none = CompileOptions(fuseLinear: false, fuseResidual: false, prepackWeights: false,
                                            planMemory: false)
}
