#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few numpy / torch array constructors diffusers' schedulers use, reproduced with their exact
/// rounding so that timesteps and sigmas come out bit-identical.
enum NumpyMath {
    /// `np.linspace(start, stop, num)` (float64): `i · ((stop − start)/(num − 1)) + start`, last = stop.
    static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
        guard num > 1 else { return num == 1 ? [start] : [] }
        let step = (stop - start) / Double(num - 1)
        var y = (0..<num).map { Double($0) * step + start }
        y[num - 1] = stop
        return y
    }

    /// `np.arange(start, stop, step)` for floats: length `ceil((stop − start)/step)`, elements
    /// `start + i·delta` with `delta = (start + step) − start` (numpy's fill).
    static func arange(_ start: Double, _ stop: Double, _ step: Double) -> [Double] {
        let length = max(0, Int(((stop - start) / step).rounded(.up)))
        guard length > 0 else { return [] }
        let delta = (start + step) - start
        return (0..<length).map { i in i == 0 ? start : (i == 1 ? start + step : start + Double(i) * delta) }
    }

    /// `np.round` / `Tensor.round`: half to even.
    static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

    /// `np.interp(x, arange(len(fp)), fp)` in float64 (fp given as float32, as diffusers passes it).
    static func interp(_ x: Double, _ fp: [Float]) -> Double {
        let n = fp.count
        if x <= 0 { return Double(fp[0]) }
        if x >= Double(n - 1) { return Double(fp[n - 1]) }
        let j = Int(x.rounded(.down))
        if Double(j) == x { return Double(fp[j]) }
        let slope = (Double(fp[j + 1]) - Double(fp[j])) / 1.0
        return slope * (x - Double(j)) + Double(fp[j])
    }

    /// `torch.linspace(start, end, steps, dtype=float32)` on the CPU: float32 step
    /// `(end − start)/(steps − 1)`, first half `start + step·i`, second half `end − step·(steps − 1 − i)`,
    /// each a fused multiply-add (*measured*: bit-identical to torch 2.15 for the SD beta schedules).
    static func torchLinspaceFloat(_ startValue: Double, _ endValue: Double, _ steps: Int) -> [Float] {
        let start = Float(startValue), end = Float(endValue)
        guard steps > 1 else { return steps == 1 ? [start] : [] }
        let step = (end - start) / Float(steps - 1)
        let halfway = steps / 2
        return (0..<steps).map { i in
            i < halfway ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(steps - 1 - i))
        }
    }

    /// `torch.cumprod` of a float32 tensor on the CPU: accumulated in double, each prefix rounded.
    static func torchCumprod(_ values: [Float]) -> [Float] {
        var accumulator = 1.0
        return values.map { accumulator *= Double($0); return Float(accumulator) }
    }
}

/// float32 scalar math on 0-dim tensors, as torch does it (glibc `logf`, `expf`; `** 0.5` is `sqrt`).
enum TorchScalar {
    static func log(_ x: Float) -> Float { logf(x) }
    static func exp(_ x: Float) -> Float { expf(x) }
    static func sqrt(_ x: Float) -> Float { x.squareRoot() }
}
