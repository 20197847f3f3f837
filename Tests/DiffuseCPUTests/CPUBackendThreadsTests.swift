import Testing
import DiffuseCore
import DiffuseCPU

/// `CPUBackend(threads:)`: the setting applies to the ops that backend runs, not to the process.
@Suite struct CPUBackendThreadsTests {
    @Test func aBackendsThreadCountGovernsItsOpsOnly() {
        let x = Tensor((0..<4096).map { Float($0 % 13) }, shape: [64, 64])
        let one = CPUBackend(threads: 1), all = CPUBackend()
        #expect(one.threads == 1 && all.threads == nil)
        #expect(one.matmul(x, x).floats() == all.matmul(x, x).floats())
        let before = Parallel.threadCount
        #expect(Parallel.withThreads(1) { Parallel.threadCount } == 1)
        #expect(Parallel.withThreads(3) { Parallel.threadCount } == 3)
        #expect(Parallel.withThreads(nil) { Parallel.threadCount } == before && Parallel.threadCount == before)
    }
}
