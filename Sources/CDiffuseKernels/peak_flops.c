// Peak multiply-add rate of one core: 12 independent accumulator chains of FMAs on registers (enough to
// cover a 4–5-cycle latency on two pipes), no memory traffic. `diffuse devices` divides FLOPs by time.
#include "CDiffuseKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

// One iteration: every chain a_i = STEP(a_i); then the sum of the twelve with ADD.
#define DECLARE_CHAINS(type, zero) type a0 = zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, \
    a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
#define STEP_CHAINS(STEP) a0 = STEP(a0); a1 = STEP(a1); a2 = STEP(a2); a3 = STEP(a3); a4 = STEP(a4); \
    a5 = STEP(a5); a6 = STEP(a6); a7 = STEP(a7); a8 = STEP(a8); a9 = STEP(a9); a10 = STEP(a10); a11 = STEP(a11)
#define SUM_CHAINS(ADD) ADD(ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7))), \
    ADD(ADD(a8, a9), ADD(a10, a11)))

__attribute__((target("avx2,fma")))
float diffuse_peak_f32_avx2(long iterations) {
    DECLARE_CHAINS(__m256, _mm256_set1_ps(0.0f));
    const __m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-3f);
#define STEP(x) _mm256_fmadd_ps(x, m, c)
    for (long i = 0; i < iterations; i++) { STEP_CHAINS(STEP); }
#undef STEP
    float out[8];
    _mm256_storeu_ps(out, SUM_CHAINS(_mm256_add_ps));
    return out[0] + out[7];
}

__attribute__((target("avx512f")))
float diffuse_peak_f32_avx512(long iterations) {
    DECLARE_CHAINS(__m512, _mm512_set1_ps(0.0f));
    const __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-3f);
#define STEP(x) _mm512_fmadd_ps(x, m, c)
    for (long i = 0; i < iterations; i++) { STEP_CHAINS(STEP); }
#undef STEP
    return _mm512_reduce_add_ps(SUM_CHAINS(_mm512_add_ps));
}

__attribute__((target("avx512f,avx512bf16")))
float diffuse_peak_bf16_avx512(long iterations) {
    DECLARE_CHAINS(__m512, _mm512_set1_ps(0.0f));
    const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3A83), y = (__m512bh)_mm512_set1_epi16(0x3F80); // 1e-3, 1.0
#define STEP(a) _mm512_dpbf16_ps(a, x, y)
    for (long i = 0; i < iterations; i++) { STEP_CHAINS(STEP); }
#undef STEP
    return _mm512_reduce_add_ps(SUM_CHAINS(_mm512_add_ps));
}
#else
float diffuse_peak_f32_avx2(long iterations) { (void)iterations; return 0; }
float diffuse_peak_f32_avx512(long iterations) { (void)iterations; return 0; }
float diffuse_peak_bf16_avx512(long iterations) { (void)iterations; return 0; }
#endif
