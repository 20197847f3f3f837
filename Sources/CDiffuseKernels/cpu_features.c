#include "CDiffuseKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

diffuse_cpu_features diffuse_detect_cpu_features(void) {
    diffuse_cpu_features f = {0};
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
    int osxsave = (ecx >> 27) & 1;
    int avx = (ecx >> 28) & 1;
    f.fma = (ecx >> 12) & 1;
    f.f16c = (ecx >> 29) & 1;
    if (!osxsave || !avx) { f.fma = 0; f.f16c = 0; return f; }
    unsigned long long xcr0 = read_xcr0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;          // SSE + AVX state saved by the OS
    int zmm_ok = (xcr0 & 0xE6) == 0xE6;        // + opmask, ZMM_Hi256, Hi16_ZMM
    if (!ymm_ok) { f.fma = 0; f.f16c = 0; return f; }
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        f.avx2 = (ebx >> 5) & 1;
        if (zmm_ok) {
            f.avx512f = (ebx >> 16) & 1;
            f.avx512bw = (ebx >> 30) & 1;
            f.avx512vl = (ebx >> 31) & 1;
        }
    }
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        if (zmm_ok && f.avx512f) f.avx512fp16 = (edx >> 23) & 1;
        int tiles_ok = (xcr0 & 0x60000) == 0x60000;   // XTILECFG + XTILEDATA saved by the OS
        f.amx_bf16 = tiles_ok && ((edx >> 22) & 1) && ((edx >> 24) & 1);
    }
    if (zmm_ok && f.avx512f && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) {
        f.avx512bf16 = (eax >> 5) & 1;
    }
    return f;
}

void diffuse_cpu_brand(char *out) {
    unsigned int regs[12] = {0};
    out[0] = 0;
    unsigned int top, ebx, ecx, edx;
    if (!__get_cpuid(0x80000000, &top, &ebx, &ecx, &edx) || top < 0x80000004) return;
    for (unsigned int i = 0; i < 3; i++) {
        __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    }
    const char *text = (const char *)regs;
    int start = 0, end = 48;
    while (start < 48 && (text[start] == ' ' || text[start] == 0)) start++;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == 0)) end--;
    int n = 0;
    for (int i = start; i < end; i++) out[n++] = text[i];
    out[n] = 0;
}
#else
void diffuse_cpu_brand(char *out) { out[0] = 0; }

diffuse_cpu_features diffuse_detect_cpu_features(void) {
    diffuse_cpu_features f = {0};
#if defined(__aarch64__)
    f.neon = 1;
#endif
    return f;
}
#endif
