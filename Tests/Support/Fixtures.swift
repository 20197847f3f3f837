/// Where the committed reference fixtures live (`Fixtures/` at the repository root).
public enum FixturePaths {
    /// Absolute path of the repository's `Fixtures` folder, found from this source file's location.
    public static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3) // Tests/Support/Fixtures.swift
        return parts.joined(separator: "/") + "/Fixtures"
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }
}

/// A deterministic pseudo-random source for test inputs (SplitMix64), so failures reproduce.
public struct TestRandom: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    public mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in uniform() * scale } }
}
