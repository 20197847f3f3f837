import ArgumentParser

/// `--seed`: 0 … 2^64−1, or -1 for a random one (A1111's convention; `value` nil).
struct SeedArgument: ExpressibleByArgument {
    let value: UInt64?

    init?(argument: String) {
        if argument == "-1" { value = nil; return }
        guard let seed = UInt64(argument) else { return nil }
        value = seed
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension SeedArgument {
    /// A given seed (`--from-png`).
    init(_ seed: UInt64) { value = seed }
}
