#!/usr/bin/env bash
# Runs on the GPU machine (see ../shared/gpu/README.md), from the repo root with .gpu/ beside it, after
# `../shared/gpu/bundle.sh asg-runtime-opencl` here: the OpenCL matmul benchmark (default tile, then the tile
# shapes given in TILES), cuBLAS at the same sizes, then every OpenCL-tagged test (the op table included) on the
# device the backend picks (the NVIDIA CUDA platform's GPU before pocl). Writes logs under $OUT when it is set.
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
tiles=${TILES:-128x128x16,128x128x8,128x64x16,64x128x16}
bash .gpu/run.sh main dev.jasg.opencl.bench.MatmulBench 1024 2048 4096 --tiles "$tiles" 2>&1 | grep -v '^\[main\] INFO' | tee "$out/matmul-opencl.txt"
python3 asg-runtime-gpu/bench/torch_matmul.py 1024 2048 4096 2>&1 | tee "$out/matmul-cublas.txt"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
# The JUnit console launcher does not expand lib/* in --class-path, so pass the class path to java itself.
/tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -DJASG_REQUIRE_OPENCL=1 \
  -cp "$h/test-classes:$h/lib/*:$(ls "$h"/tools/junit-platform-console-standalone-*.jar)" \
  org.junit.platform.console.ConsoleLauncher execute --scan-class-path "$h/test-classes" --include-tag opencl \
  --details=summary --disable-banner 2>&1 | tee "$out/opencl-tests.txt" | tail -40
