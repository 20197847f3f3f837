#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseSchedulers
import DiffuseTestSupport

/// Every case of `Fixtures/ops/random.safetensors` (`torch.Generator("cpu").manual_seed(seed)` draws).
/// Required: bit-exact equality (0 ulp) — the fixtures were made on a CPU where torch uses its scalar
/// (libm) Box–Muller, which `TorchRandomSource` reproduces operation for operation.
@Suite("TorchRandomSource")
struct TorchRandomSourceTests {
    static let file = FixturePaths.path("ops/random.safetensors")

    struct Case: Sendable, CustomStringConvertible {
        let name: String, op: String, seed: UInt64, shapes: [[Int]]
        var description: String { name }
    }

    struct Meta: Decodable { let op: String; let seed: UInt64; let shape: [Int]?; let shapes: [[Int]]? }

    static func cases() throws -> [Case] {
        let f = try SafeTensorsFile(path: file)
        return try f.metadata.keys.filter { !$0.hasPrefix("__") }.sorted().map { name in
            let m = try JSONDecoder().decode(Meta.self, from: Data(f.metadata[name]!.utf8))
            return Case(name: name, op: m.op, seed: m.seed, shapes: m.shapes ?? [m.shape ?? []])
        }
    }

    /// Distance in units in the last place between two finite floats of the same sign.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        Int(abs(Int64(a.bitPattern) - Int64(b.bitPattern)))
    }

    @Test(arguments: try cases())
    func matchesTorch(_ c: Case) throws {
        let expected = try SafeTensorsFile(path: Self.file).tensor(c.name + ".expected").floats()
        var g = TorchRandomSource(seed: c.seed)
        var actual: [Float] = []
        for shape in c.shapes {
            let n = shape.reduce(1, *)
            actual += c.op == "rand" ? g.uniform(count: n) : g.normal(count: n)
        }
        try #require(actual.count == expected.count)
        let worst = zip(actual, expected).map { Self.ulps($0, $1) }.max() ?? 0
        let mismatches = zip(actual, expected).filter { $0 != $1 }.count
        #expect(mismatches == 0, "\(c.name): \(mismatches)/\(expected.count) differ, worst \(worst) ulp")
    }

    @Test func tensorShapeAndContinuation() {
        var a = TorchRandomSource(seed: 42)
        let t = a.randn([1, 4, 8, 8])
        #expect(t.shape == [1, 4, 8, 8])
        var b = TorchRandomSource(seed: 42)
        _ = b.normal(count: 256)
        #expect(a.normal(count: 20) == b.normal(count: 20)) // same stream position after equal draws
        let copy = a
        var c = copy
        #expect(a.uniform(count: 5) == c.uniform(count: 5)) // a copy replays the same numbers
    }
}
