// bf16-input, f32-accumulate GEMM building blocks (AVX512-BF16, `vdpbf16ps`). The blocking loops and the
// threading live in Swift (`GEMM+BF16.swift`); this file packs panels and runs the micro-kernel.
//
// vdpbf16ps multiplies pairs: lane j of the result += a[2j]·b[2j] + a[2j+1]·b[2j+1]. So both packed
// operands hold k in pairs:
//   packed A micro-panel (12 rows):   [kp][12][2]  (kp = ⌈kc/2⌉; one 32-bit pair per row, broadcast)
//   packed B micro-panel (32 columns): [kp][32][2] (two zmm per k pair, one per 16 columns)
// Odd kc and ragged edges are zero-padded, so the kernel always runs whole tiles.
//
// Every function with wide instructions carries its own target attribute: this file is compiled for the
// baseline CPU and callers check `CPUFeatures.avx512bf16` first.
#include "CDiffuseKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define MR DIFFUSE_BF16_MR
#define NR DIFFUSE_BF16_NR

// op(B)[p, j] = b[p·rs + j·cs], p < kc, j < nc  →  ⌈nc/32⌉ panels of [kp][32][2].
BF16_TARGET
void diffuse_bf16_pack_b(const uint16_t *b, ptrdiff_t rs, ptrdiff_t cs, int kc, int nc, uint16_t *out) {
    const int kp = (kc + 1) / 2;
    // Interleave two rows of 32 columns: result words 2j, 2j+1 = row0[j], row1[j].
    const __m512i lo_index = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8,
                                              39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
    const __m512i hi_index = _mm512_add_epi16(lo_index, _mm512_set1_epi16(16));
    for (int j0 = 0; j0 < nc; j0 += NR, out += (size_t)kp * NR * 2) {
        const int width = nc - j0 < NR ? nc - j0 : NR;
        if (rs == 1) {
            // Columns are k-contiguous (a transposed weight [N, K]): each pair is one 32-bit word.
            diffuse_bf16_pack_pairs(b + j0 * cs, cs, width, kc, NR, out);
        } else if (cs == 1 && width == NR) {
            for (int pp = 0; pp < kp; pp++) {
                const int p = 2 * pp;
                __m512i r0 = _mm512_loadu_si512(b + p * rs + j0);
                __m512i r1 = p + 1 < kc ? _mm512_loadu_si512(b + (p + 1) * rs + j0) : _mm512_setzero_si512();
                _mm512_storeu_si512(out + pp * 64, _mm512_permutex2var_epi16(r0, lo_index, r1));
                _mm512_storeu_si512(out + pp * 64 + 32, _mm512_permutex2var_epi16(r0, hi_index, r1));
            }
        } else {
            for (int pp = 0; pp < kp; pp++) {
                for (int j = 0; j < NR; j++) {
                    for (int t = 0; t < 2; t++) {
                        const int p = 2 * pp + t;
                        out[(pp * NR + j) * 2 + t] = (j < width && p < kc) ? b[p * rs + (j0 + j) * cs] : 0;
                    }
                }
            }
        }
    }
}

// op(A)[i, p] = a[i·rs + p·cs], i < mc, p < kc  →  ⌈mc/12⌉ panels of [kp][12][2].
BF16_TARGET
void diffuse_bf16_pack_a(const uint16_t *a, ptrdiff_t rs, ptrdiff_t cs, int mc, int kc, uint16_t *out) {
    const int kp = (kc + 1) / 2;
    for (int i0 = 0; i0 < mc; i0 += MR, out += (size_t)kp * MR * 2) {
        const int height = mc - i0 < MR ? mc - i0 : MR;
        if (cs == 1) {
            // Rows are k-contiguous: each pair is one 32-bit word.
            diffuse_bf16_pack_pairs(a + i0 * rs, rs, height, kc, MR, out);
        } else {
            for (int pp = 0; pp < kp; pp++) {
                for (int i = 0; i < MR; i++) {
                    for (int t = 0; t < 2; t++) {
                        const int p = 2 * pp + t;
                        out[(pp * MR + i) * 2 + t] = (i < height && p < kc) ? a[(i0 + i) * rs + p * cs] : 0;
                    }
                }
            }
        }
    }
}

// One 12 × 32 tile: C[m, n] (m ≤ 12, n ≤ 32, row stride ldc) = alpha · A·B + beta · C + bias[i] (beta 0: C
// not read; bias NULL: none).
// 24 zmm accumulators + 2 B registers + broadcasts.
BF16_TARGET
static inline void micro_kernel_12x32(int kp, const uint16_t *a, const uint16_t *b, float *c, ptrdiff_t ldc,
                                      int m, int n, float alpha, float beta, const float *bias) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    const int32_t *a32 = (const int32_t *)a;
    for (int pp = 0; pp < kp; pp++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + pp * 64);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + pp * 64 + 32);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32(a32[pp * MR + i]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], x, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], x, b1);
        }
    }
    const __mmask16 mask0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
    const __mmask16 mask1 = n >= 32 ? (__mmask16)0xFFFF : n <= 16 ? 0 : (__mmask16)((1u << (n - 16)) - 1);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; i++) {
        float *row = c + i * ldc;
        __m512 r0 = _mm512_mul_ps(acc[i][0], va), r1 = _mm512_mul_ps(acc[i][1], va);
        if (beta != 0) {
            r0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask0, row), vb, r0);
            r1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask1, row + 16), vb, r1);
        }
        if (bias) {
            const __m512 bi = _mm512_set1_ps(bias[i]);
            r0 = _mm512_add_ps(r0, bi);
            r1 = _mm512_add_ps(r1, bi);
        }
        _mm512_mask_storeu_ps(row, mask0, r0);
        _mm512_mask_storeu_ps(row + 16, mask1, r1);
    }
}

// C[mc, nc] = alpha · (packed A block) · (packed B block) + beta · C (+ row_bias[i] on row i unless NULL). Row panel outer, so one A
// micro-panel stays in L1 while the B block streams from L2.
BF16_TARGET
void diffuse_bf16_macro_kernel(int mc, int nc, int kc, const uint16_t *pa, const uint16_t *pb,
                               float *c, ptrdiff_t ldc, float alpha, float beta, const float *row_bias) {
    const int kp = (kc + 1) / 2;
    for (int i = 0; i < mc; i += MR) {
        const uint16_t *ap = pa + (size_t)(i / MR) * kp * MR * 2;
        for (int j = 0; j < nc; j += NR) {
            const uint16_t *bp = pb + (size_t)(j / NR) * kp * NR * 2;
            micro_kernel_12x32(kp, ap, bp, c + i * ldc + j, ldc, mc - i < MR ? mc - i : MR,
                               nc - j < NR ? nc - j : NR, alpha, beta, row_bias ? row_bias + i : NULL);
        }
    }
}

// dst[i] = bf16(src[i]), round to nearest even.
BF16_TARGET
void diffuse_f32_to_bf16(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), (__m256i)v);
    }
    if (i < n) {
        const __mmask16 mask = (__mmask16)((1u << (n - i)) - 1);
        __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, src + i));
        _mm256_mask_storeu_epi16(dst + i, mask, (__m256i)v);
    }
}

#else
// Not x86-64: never called (CPUFeatures.avx512bf16 is false); defined so the target links.
void diffuse_bf16_pack_b(const uint16_t *b, ptrdiff_t rs, ptrdiff_t cs, int kc, int nc, uint16_t *out) {}
void diffuse_bf16_pack_a(const uint16_t *a, ptrdiff_t rs, ptrdiff_t cs, int mc, int kc, uint16_t *out) {}
void diffuse_bf16_macro_kernel(int mc, int nc, int kc, const uint16_t *pa, const uint16_t *pb,
                               float *c, ptrdiff_t ldc, float alpha, float beta, const float *row_bias) {}
void diffuse_f32_to_bf16(const float *src, uint16_t *dst, size_t n) {}
#endif
