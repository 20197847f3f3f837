/// "Does this fit?": a prediction against a `MemoryLimit`, with the single changes that would fit.
extension MemoryModel {
    /// nil when `request` fits under `limit` (or there is no limit); else what it would need and what
    /// to change. `baselineBytes`: what the process holds already and the prediction does not count
    /// (the benchmark adds the RSS before any model was built, since it compares with peak RSS).
    public func shortfall(_ request: MemoryRequest, weights: WeightFootprint, baselineBytes: Int = 0,
                          limit: MemoryLimit?) -> MemoryShortfall? {
        guard let limit else { return nil }
        let needed = baselineBytes + peakBytes(request, weights: weights)
        guard needed > limit.bytes else { return nil }
        let weightBytes = weightBytes(request, weights)
        // A generation's peak stage may not hold every weight counted (the VAE decode runs without the
        // packed copies): what is left of the peak is reported as its activations.
        return MemoryShortfall(request: request, neededBytes: needed, weightBytes: weightBytes,
                               activationBytes: needed - baselineBytes - weightBytes, baselineBytes: baselineBytes, limit: limit,
                               suggestions: suggestions(request, weights: weights, baselineBytes: baselineBytes, limit: limit))
    }

    /// Throws the `MemoryShortfall` when `request` does not fit.
    public func checkFits(_ request: MemoryRequest, weights: WeightFootprint, baselineBytes: Int = 0,
                          limit: MemoryLimit?) throws(MemoryShortfall) {
        if let shortfall = shortfall(request, weights: weights, baselineBytes: baselineBytes, limit: limit) {
            throw shortfall
        }
    }

    /// Single changes that fit: the largest smaller batch, the largest smaller size of the same aspect
    /// (in eighths, multiples of 8 and of the VAE factor), flash attention instead of one that holds
    /// every score, f16 weights instead of f32 (when the weights are parameter counts), and a larger
    /// `--memory-limit` when the limit was given.
    func suggestions(_ request: MemoryRequest, weights: WeightFootprint, baselineBytes: Int,
                     limit: MemoryLimit) -> [String] {
        func needs(_ r: MemoryRequest) -> Int { baselineBytes + peakBytes(r, weights: weights) }
        func fits(_ r: MemoryRequest) -> Bool { needs(r) <= limit.bytes }
        var out: [String] = []
        if request.batch > 1 {
            var (low, high) = (0, request.batch - 1)   // largest fitting batch in low…high (0: none)
            while low < high {
                let mid = (low + high + 1) / 2
                var r = request
                r.batch = mid
                if fits(r) { low = mid } else { high = mid - 1 }
            }
            if low >= 1 { out.append(request.call == .pipeline ? "--images \(low)" : "batch \(low)") }
        }
        if request.call != .textEncoder {
            let multiple = max(8, vaeScaleFactor)
            for eighths in stride(from: 7, through: 1, by: -1) {
                var r = request
                r.width = request.width * eighths / 8 / multiple * multiple
                r.height = request.height * eighths / 8 / multiple * multiple
                guard r.width >= multiple, r.height >= multiple, r.width < request.width || r.height < request.height else { continue }
                if fits(r) { out.append("a size of \(r.width)×\(r.height)"); break }
            }
        }
        if request.attention.materialisesScores || request.attention.choice == .sliced {
            var r = request
            r.attention = MemoryAttention(.flash)
            if fits(r) { out.append("--attention flash (about \(MemorySize.format(needs(r))))") }
        }
        if request.precision == .f32, weights.followsPrecision {
            var r = request
            r.precision = .f16
            if fits(r) { out.append("--precision f16 (about \(MemorySize.format(needs(r))))") }
        }
        if out.isEmpty {
            let weightsAlone = baselineBytes + weightBytes(request, weights)
            out.append(weightsAlone < limit.bytes ? "a smaller size and batch"
                       : "more memory: the weights alone take \(MemorySize.format(weightsAlone))")
        }
        if limit.source == .option { out.append("a larger --memory-limit if the machine has it") }
        return out
    }
}
