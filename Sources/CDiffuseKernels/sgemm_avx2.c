// The f32 GEMM micro-kernel in C behind a `target` attribute (AVX2 + FMA), so that it needs no compiler
// flag: the same 6×16 tile as GEMMMicroKernel.swift (which the Haswell-targeted Swift build emits), chosen
// at run time by GEMMDriver. See CDiffuseKernels.h for the contract.
#include "CDiffuseKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma")))

// C[0..<16] = alpha · (lo, hi) + beta · C[0..<16]
TARGET static inline void store_row(__m256 lo, __m256 hi, float *c, float alpha, float beta) {
    __m256 va = _mm256_set1_ps(alpha);
    __m256 r0 = _mm256_mul_ps(lo, va), r1 = _mm256_mul_ps(hi, va);
    if (beta != 0) {
        __m256 vb = _mm256_set1_ps(beta);
        r0 = _mm256_fmadd_ps(_mm256_loadu_ps(c), vb, r0);
        r1 = _mm256_fmadd_ps(_mm256_loadu_ps(c + 8), vb, r1);
    }
    _mm256_storeu_ps(c, r0);
    _mm256_storeu_ps(c + 8, r1);
}

TARGET void diffuse_sgemm_6x16_avx2(long k, const float *a0, const float *a1, const float *a2, const float *a3,
                                    const float *a4, const float *a5, long a_step, const float *b, float *c,
                                    long ldc, int m, int n, float alpha, float beta, const float *bias,
                                    int half_width) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    if (bias) {
        int last = m - 1;
        c00 = c01 = _mm256_set1_ps(bias[0]);
        c10 = c11 = _mm256_set1_ps(bias[last < 1 ? last : 1]);
        c20 = c21 = _mm256_set1_ps(bias[last < 2 ? last : 2]);
        c30 = c31 = _mm256_set1_ps(bias[last < 3 ? last : 3]);
        c40 = c41 = _mm256_set1_ps(bias[last < 4 ? last : 4]);
        c50 = c51 = _mm256_set1_ps(bias[last < 5 ? last : 5]);
    }
    long offset = 0;
    if (half_width) {
        for (long p = 0; p < k; p++, offset += a_step, b += 16) {
            __m256 b0 = _mm256_loadu_ps(b);
            c00 = _mm256_fmadd_ps(_mm256_broadcast_ss(a0 + offset), b0, c00);
            c10 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1 + offset), b0, c10);
            c20 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2 + offset), b0, c20);
            c30 = _mm256_fmadd_ps(_mm256_broadcast_ss(a3 + offset), b0, c30);
            c40 = _mm256_fmadd_ps(_mm256_broadcast_ss(a4 + offset), b0, c40);
            c50 = _mm256_fmadd_ps(_mm256_broadcast_ss(a5 + offset), b0, c50);
        }
    } else {
        for (long p = 0; p < k; p++, offset += a_step, b += 16) {
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), x;
            x = _mm256_broadcast_ss(a0 + offset); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
            x = _mm256_broadcast_ss(a1 + offset); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
            x = _mm256_broadcast_ss(a2 + offset); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
            x = _mm256_broadcast_ss(a3 + offset); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
            x = _mm256_broadcast_ss(a4 + offset); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
            x = _mm256_broadcast_ss(a5 + offset); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
        }
    }
    if (m == 6 && n == 16) {
        store_row(c00, c01, c, alpha, beta);
        store_row(c10, c11, c + ldc, alpha, beta);
        store_row(c20, c21, c + 2 * ldc, alpha, beta);
        store_row(c30, c31, c + 3 * ldc, alpha, beta);
        store_row(c40, c41, c + 4 * ldc, alpha, beta);
        store_row(c50, c51, c + 5 * ldc, alpha, beta);
        return;
    }
    // Edge tile: spill the accumulators and write only the m × n corner.
    float tile[6][16];
    _mm256_storeu_ps(tile[0], c00); _mm256_storeu_ps(tile[0] + 8, c01);
    _mm256_storeu_ps(tile[1], c10); _mm256_storeu_ps(tile[1] + 8, c11);
    _mm256_storeu_ps(tile[2], c20); _mm256_storeu_ps(tile[2] + 8, c21);
    _mm256_storeu_ps(tile[3], c30); _mm256_storeu_ps(tile[3] + 8, c31);
    _mm256_storeu_ps(tile[4], c40); _mm256_storeu_ps(tile[4] + 8, c41);
    _mm256_storeu_ps(tile[5], c50); _mm256_storeu_ps(tile[5] + 8, c51);
    for (int i = 0; i < m; i++) {
        float *row = c + i * ldc;
        for (int j = 0; j < n; j++) {
            float v = alpha * tile[i][j];
            row[j] = beta == 0 ? v : v + beta * row[j];
        }
    }
}
#else
void diffuse_sgemm_6x16_avx2(long k, const float *a0, const float *a1, const float *a2, const float *a3,
                             const float *a4, const float *a5, long a_step, const float *b, float *c,
                             long ldc, int m, int n, float alpha, float beta, const float *bias, int half_width) {
    (void)k; (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; (void)a_step; (void)b; (void)c;
    (void)ldc; (void)m; (void)n; (void)alpha; (void)beta; (void)bias; (void)half_width;
}
#endif
