#!/usr/bin/env bash
# Runs the whole test suite on an emulated AVX2-only x86-64 CPU (Haswell: AVX2, FMA, F16C, no AVX-512,
# no AVX512-BF16), to show that the run-time kernel choice never executes an instruction the CPU lacks
# and that the fallback paths (f32 instead of bf16 GEMM, …) give the same answers.
# Needs qemu-user (installed from Debian's packages if missing). Slow: the CPU is emulated.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v qemu-x86_64 >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null
fi
swift build --build-tests
binary=$(find .build/debug -maxdepth 1 -name '*PackageTests.xctest' | head -1)
echo "CPU features seen under emulation:"
swift build --product diffuse
qemu-x86_64 -cpu Haswell-v4 .build/debug/diffuse devices 2>/dev/null | head -4 || true
# qemu warns about CPUID bits its TCG cannot emulate (pcid, x2apic, …); those lines are dropped.
qemu-x86_64 -cpu Haswell-v4 "$binary" --testing-library swift-testing "$@" 2>&1 | grep -v '^qemu-x86_64: warning'
