// C helpers for what Swift cannot express: CPU feature detection, AVX512-BF16 intrinsics, and glibc's
// malloc_trim (not in Swift's Glibc module).
// Every function with wide instructions carries its own `target` attribute, so this file is compiled
// for the baseline CPU and the binary runs anywhere; callers check the feature flags first.
#ifndef CDIFFUSE_KERNELS_H
#define CDIFFUSE_KERNELS_H

#include <stdint.h>
#include <stddef.h>

/// CPU features relevant to the kernels, read with CPUID (x86) or fixed facts (other architectures).
typedef struct {
    int avx2;        // AVX2
    int fma;         // FMA3
    int f16c;        // F16C conversions
    int avx512f;     // AVX-512 Foundation
    int avx512bw;
    int avx512vl;
    int avx512bf16;  // VDPBF16PS: bf16 dot products accumulating in fp32
    int avx512fp16;  // AVX512-FP16 arithmetic
    int amx_bf16;    // AMX tiles with bf16 dot products (TILE + BF16, and the OS saves tile state)
    int neon;        // arm64 Advanced SIMD
} diffuse_cpu_features;

diffuse_cpu_features diffuse_detect_cpu_features(void);

/// The CPU's brand string (CPUID leaves 0x80000002–4, e.g. "AMD EPYC 9R14 96-Core Processor") into
/// `out` (at least 49 bytes), trimmed; an empty string where there is none (non-x86).
void diffuse_cpu_brand(char *out);

// MARK: peak arithmetic rate (peak_flops.c): register-only multiply-add loops, 12 independent chains,
// so that latency does not limit them. Each returns a value depending on every step (so nothing is
// optimised away); the work is `iterations` × the FLOPs per iteration named. Call only when the feature
// is set. Meaningful in optimised builds (debug builds keep the chains in memory).

/// 12 × 8-lane FMAs per iteration: 192 FLOPs. Needs avx2 + fma.
float diffuse_peak_f32_avx2(long iterations);
/// 12 × 16-lane FMAs per iteration: 384 FLOPs. Needs avx512f.
float diffuse_peak_f32_avx512(long iterations);
/// 12 × VDPBF16PS (16 lanes × 2 products) per iteration: 768 FLOPs. Needs avx512bf16.
float diffuse_peak_bf16_avx512(long iterations);

/// Hint that `address` will be read soon (into all cache levels). Inlined into Swift callers.
static inline void diffuse_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

// MARK: f32 GEMM micro-kernel (sgemm_avx2.c). Call only when avx2 and fma are set.

/// One 6×16 tile: C[m, n] (m ≤ 6, n ≤ 16, row stride ldc) = alpha · (A·B + bias) + beta · C, beta 0 not
/// reading C. A: row i at a_i, element p at a_i[p · a_step] (rows past m repeat row m − 1); B: a packed
/// panel [k][16]; bias: NULL or m floats seeding row i's accumulators. half_width (n ≤ 8) skips the right
/// half. The same contract as GEMMMicroKernel.swift's `microKernel6x16`.
void diffuse_sgemm_6x16_avx2(long k, const float *a0, const float *a1, const float *a2, const float *a3,
                             const float *a4, const float *a5, long a_step, const float *b, float *c,
                             long ldc, int m, int n, float alpha, float beta, const float *bias, int half_width);

// MARK: bf16 GEMM (bf16_gemm.c). Call only when avx512bf16 is set. Strides are in elements.

/// Micro-tile of the bf16 kernel: 12 rows × 32 columns; k is packed in pairs.
#define DIFFUSE_BF16_MR 12
#define DIFFUSE_BF16_NR 32

/// Packs op(B)[p, j] = b[p·rs + j·cs] (kc × nc) into ⌈nc/32⌉ panels of [⌈kc/2⌉][32][2] bf16, zero-padded.
void diffuse_bf16_pack_b(const uint16_t *b, ptrdiff_t rs, ptrdiff_t cs, int kc, int nc, uint16_t *out);
/// Packs op(A)[i, p] = a[i·rs + p·cs] (mc × kc) into ⌈mc/12⌉ panels of [⌈kc/2⌉][12][2] bf16, zero-padded.
void diffuse_bf16_pack_a(const uint16_t *a, ptrdiff_t rs, ptrdiff_t cs, int mc, int kc, uint16_t *out);
/// C[mc, nc] (row stride ldc) = alpha · packedA · packedB + beta · C (+ row_bias[i] on row i unless NULL);
/// beta 0 does not read C.
void diffuse_bf16_macro_kernel(int mc, int nc, int kc, const uint16_t *pa, const uint16_t *pb,
                               float *c, ptrdiff_t ldc, float alpha, float beta, const float *row_bias);
/// dst[i] = bf16(src[i]) with round-to-nearest-even, i < n.
void diffuse_f32_to_bf16(const float *src, uint16_t *dst, size_t n);

// MARK: bf16 packing (bf16_pack.c). Call only when avx512bf16 is set.

/// One panel of `width` lines (12 or 32) from k-contiguous bf16 lines src + l·stride, l < count (the rest
/// zero): [⌈kc/2⌉][width][2], an odd kc's last pair zero-padded.
void diffuse_bf16_pack_pairs(const uint16_t *src, ptrdiff_t stride, int count, int kc, int width, uint16_t *out);
/// Packs op(A)[i, p] = bf16(a[i·rs + p]) (f32, k-contiguous rows; mc × kc) into ⌈mc/12⌉ panels of
/// [⌈kc/2⌉][12][2], rounding to nearest even.
void diffuse_bf16_pack_a_f32(const float *a, ptrdiff_t rs, int mc, int kc, uint16_t *out);
/// Converts two f32 GEMM B panels [kc][16] (p1 NULL: zeros) into one bf16 panel [⌈kc/2⌉][32][2].
void diffuse_bf16_pack_b_f32_panels(const float *p0, const float *p1, int kc, uint16_t *out);

/// glibc's `malloc_trim(0)`: returns the pages of freed heap blocks to the system. Returns 1 when memory
/// was released, 0 otherwise (and on C libraries without it).
int diffuse_malloc_trim(void);

#endif
