import CDiffuseKernels
import DiffuseCore

extension HostAllocator {
    /// Hands the pages of freed heap blocks back to the system (glibc's `malloc_trim`). Blocks under
    /// glibc's mmap threshold (dynamic, up to 32 MiB: most weight matrices and their bf16 packings) are
    /// carved from the heap, and freeing them keeps their pages resident; a stage that drops gigabytes at
    /// once (the bf16 kernel's packed weights after the denoising loop) calls this so that the next stage
    /// does not stack its own memory on top. No-op on other C libraries.
    public static func returnFreedMemory() {
        _ = diffuse_malloc_trim()
    }
}
