#!/usr/bin/env bash
# Runs on the GPU machine (see ../shared/gpu/README.md), from the repo root with .gpu/ beside it, after
# `../shared/gpu/bundle.sh asg-runtime-gpu` here: the GPU-tagged tests (the op table included), then the
# matmul benchmark and cuBLAS at the same sizes. Writes logs under $OUT when it is set.
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
bash .gpu/run.sh main dev.jasg.gpu.bench.MatmulBench 1024 2048 4096 2>&1 | tee "$out/matmul-vulkan.txt"
python3 asg-runtime-gpu/bench/torch_matmul.py 1024 2048 4096 2>&1 | tee "$out/matmul-cublas.txt"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
# The JUnit console launcher does not expand lib/* in --class-path, so pass the class path to java itself.
/tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dorg.lwjgl.system.stackSize=1024 -DJASG_REQUIRE_GPU=1 \
  -cp "$h/test-classes:$h/lib/*:$(ls "$h"/tools/junit-platform-console-standalone-*.jar)" \
  org.junit.platform.console.ConsoleLauncher execute --scan-class-path "$h/test-classes" --include-tag gpu \
  --details=summary --disable-banner 2>&1 | tee "$out/gpu-tests.txt" | tail -40
