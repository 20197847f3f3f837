// C helpers for what Swift cannot express: CPU feature detection and AVX512-BF16 intrinsics.
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
    int neon;        // arm64 Advanced SIMD
} diffuse_cpu_features;

diffuse_cpu_features diffuse_detect_cpu_features(void);

#endif
