// Packing for the bf16 GEMM (bf16_gemm.c) from k-contiguous bf16 rows and straight from f32, rounding to
// bf16 on the way (round to nearest even, `vcvtne2ps2bf16`), so an f32 activation never needs a separate
// bf16 copy. Panel layout as in bf16_gemm.c: [⌈kc/2⌉][W][2] (W = 12 for A, 32 for B), zero-padded.
#include "CDiffuseKernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Lines l < count of the panel are k-contiguous at src + l·stride: out[pp][l] = the 32-bit pair
// (src[l][2pp], src[l][2pp+1]); an odd last pair gets a zero high half; lines count..<W are zero.
void diffuse_bf16_pack_pairs(const uint16_t *src, ptrdiff_t stride, int count, int kc, int width, uint16_t *out) {
    const int kp = (kc + 1) / 2, full = kc / 2;
    uint32_t *o = (uint32_t *)out;
    for (int l = 0; l < width; l++) {
        if (l >= count) {
            for (int pp = 0; pp < kp; pp++) o[pp * width + l] = 0;
            continue;
        }
        const uint16_t *line = src + l * stride;
        for (int pp = 0; pp < full; pp++) {
            uint32_t w;
            memcpy(&w, line + 2 * pp, 4);
            o[pp * width + l] = w;
        }
        if (kc % 2) o[full * width + l] = line[kc - 1];
    }
}

// op(A)[i, p] = a[i·rs + p] (f32, k-contiguous rows), i < mc, p < kc  →  ⌈mc/12⌉ panels of [kp][12][2] bf16.
// Each row is converted 32 values (16 pairs) at a time; the 16 pair words go to 16 panel rows 12 words apart.
BF16_TARGET
void diffuse_bf16_pack_a_f32(const float *a, ptrdiff_t rs, int mc, int kc, uint16_t *out) {
    const int mr = DIFFUSE_BF16_MR;
    const int kp = (kc + 1) / 2;
    for (int i0 = 0; i0 < mc; i0 += mr, out += (size_t)kp * mr * 2) {
        const int height = mc - i0 < mr ? mc - i0 : mr;
        uint32_t *o = (uint32_t *)out;
        for (int i = 0; i < mr; i++) {
            if (i >= height) {
                for (int pp = 0; pp < kp; pp++) o[pp * mr + i] = 0;
                continue;
            }
            const float *row = a + (i0 + i) * rs;
            for (int p = 0; p < kc; p += 32) {
                const int left = kc - p;
                __m512 lo, hi;
                if (left >= 32) {
                    lo = _mm512_loadu_ps(row + p);
                    hi = _mm512_loadu_ps(row + p + 16);
                } else {
                    const __mmask16 m0 = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
                    const __mmask16 m1 = left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
                    lo = _mm512_maskz_loadu_ps(m0, row + p);
                    hi = _mm512_maskz_loadu_ps(m1, row + p + 16);
                }
                // Words 0..15 = pairs (p + 2t, p + 2t + 1) in k order.
                uint32_t words[16];
                _mm512_storeu_si512(words, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
                const int pairs = left >= 32 ? 16 : (left + 1) / 2;
                uint32_t *dst = o + (p / 2) * mr + i;
                for (int t = 0; t < pairs; t++) dst[t * mr] = words[t];
            }
        }
    }
}

// Two f32 B panels of 16 columns, [kc][16] each (p1 NULL: zero columns), → one [kp][32][2] bf16 panel.
// Rows 2pp and 2pp+1 of a panel become 16 interleaved pairs: convert both rows into one vector, permute.
BF16_TARGET
void diffuse_bf16_pack_b_f32_panels(const float *p0, const float *p1, int kc, uint16_t *out) {
    const int kp = (kc + 1) / 2;
    // Result word 2j = row0[j] (lane j), 2j+1 = row1[j] (lane 16 + j).
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512 zero = _mm512_setzero_ps();
    for (int pp = 0; pp < kp; pp++) {
        const int p = 2 * pp;
        const int second = p + 1 < kc;
        const __m512 a0 = _mm512_loadu_ps(p0 + p * 16);
        const __m512 a1 = second ? _mm512_loadu_ps(p0 + (p + 1) * 16) : zero;
        _mm512_storeu_si512(out + pp * 64,
                            _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(a1, a0)));
        __m512i right = _mm512_setzero_si512();
        if (p1) {
            const __m512 b0 = _mm512_loadu_ps(p1 + p * 16);
            const __m512 b1 = second ? _mm512_loadu_ps(p1 + (p + 1) * 16) : zero;
            right = _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(b1, b0));
        }
        _mm512_storeu_si512(out + pp * 64 + 32, right);
    }
}

#else
void diffuse_bf16_pack_pairs(const uint16_t *src, ptrdiff_t stride, int count, int kc, int width, uint16_t *out) {}
void diffuse_bf16_pack_a_f32(const float *a, ptrdiff_t rs, int mc, int kc, uint16_t *out) {}
void diffuse_bf16_pack_b_f32_panels(const float *p0, const float *p1, int kc, uint16_t *out) {}
#endif
