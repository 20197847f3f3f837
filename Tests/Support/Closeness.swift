import DiffuseCore

/// How close two tensors are, element by element, under `|a − e| ≤ atol + rtol · |e|` (the rule of
/// `torch.testing.assert_close` / `numpy.isclose`). Tests assert `report.passes` and print the report.
public struct Closeness: CustomStringConvertible, Sendable {
    public let passes: Bool
    public let maxAbsError: Double
    public let maxRelError: Double
    public let worstIndex: Int
    public let failures: Int
    public let count: Int
    public let rtol: Double
    public let atol: Double
    public let shapeMismatch: String?

    public var description: String {
        if let shapeMismatch { return "shape mismatch: \(shapeMismatch)" }
        return "\(failures)/\(count) elements outside atol \(atol) + rtol \(rtol)·|expected|; "
            + "max abs error \(maxAbsError), max rel error \(maxRelError) (flat index \(worstIndex))"
    }
}

/// Compares `actual` with `expected` (any dtypes/layouts; compared in Double). NaN equals NaN only if both are.
public func closeness(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> Closeness {
    guard actual.shape == expected.shape else {
        return Closeness(passes: false, maxAbsError: .infinity, maxRelError: .infinity, worstIndex: -1, failures: -1,
                         count: 0, rtol: rtol, atol: atol, shapeMismatch: "actual \(actual.shape), expected \(expected.shape)")
    }
    let a = actual.hostContiguous(), e = expected.hostContiguous()
    var maxAbs = 0.0, maxRel = 0.0, worst = 0, failures = 0, worstExcess = -Double.infinity
    for i in 0..<a.count {
        let x = a.scalar(atFlat: i), y = e.scalar(atFlat: i)
        if x.isNaN || y.isNaN {
            if !(x.isNaN && y.isNaN) { failures += 1; worst = i; worstExcess = .infinity }
            continue
        }
        let diff = abs(x - y)
        if x == y { continue } // covers equal infinities
        maxAbs = max(maxAbs, diff)
        if y != 0 { maxRel = max(maxRel, diff / abs(y)) }
        let excess = diff - (atol + rtol * abs(y))
        if excess > 0 { failures += 1 }
        if excess > worstExcess { worstExcess = excess; worst = i }
    }
    return Closeness(passes: failures == 0, maxAbsError: maxAbs, maxRelError: maxRel, worstIndex: worst,
                     failures: failures, count: a.count, rtol: rtol, atol: atol, shapeMismatch: nil)
}

/// Compares against plain values (row-major), e.g. a Double-precision reference loop.
public func closeness(_ actual: Tensor, _ expected: [Double], shape: [Int], rtol: Double, atol: Double) -> Closeness {
    precondition(expected.count == shape.reduce(1, *), "closeness: \(expected.count) values for shape \(shape)")
    let reference = Tensor(expected.map { Float($0) }, shape: shape)
    // Compare in Double against the Double values, not their Float rounding.
    guard actual.shape == shape else { return closeness(actual, reference, rtol: rtol, atol: atol) }
    let a = actual.hostContiguous()
    var maxAbs = 0.0, maxRel = 0.0, worst = 0, failures = 0, worstExcess = -Double.infinity
    for i in 0..<a.count {
        let x = a.scalar(atFlat: i), y = expected[i]
        let diff = abs(x - y)
        if diff.isNaN { failures += 1; worst = i; continue }
        maxAbs = max(maxAbs, diff)
        if y != 0 { maxRel = max(maxRel, diff / abs(y)) }
        let excess = diff - (atol + rtol * abs(y))
        if excess > 0 { failures += 1 }
        if excess > worstExcess { worstExcess = excess; worst = i }
    }
    return Closeness(passes: failures == 0, maxAbsError: maxAbs, maxRelError: maxRel, worstIndex: worst,
                     failures: failures, count: a.count, rtol: rtol, atol: atol, shapeMismatch: nil)
}
