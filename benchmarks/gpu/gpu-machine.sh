#!/usr/bin/env bash
# Runs on the GPU machine (see ../shared/gpu/README.md) from the repo root with .gpu/ beside it, after
# `bash benchmarks/gpu/pack.sh asg-runtime-gpu benchmarks` here: the GPU-tagged tests of every packed
# module (the op table included), then the matmul and convolution benchmarks beside cuBLAS/cuDNN at the
# same sizes. Writes logs under $OUT when it is set. Arguments: "tests", "bench" or both (default).
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
what=${*:-tests bench}
bash .gpu/run.sh main java.lang.Object >/dev/null 2>&1 || true   # unpacks the runtime and the loaders
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
if [[ $what == *bench* ]]; then
  bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 1024 2048 4096 2>&1 | tee "$out/matmul-vulkan.txt"
  python3 benchmarks/gpu/torch_matmul.py 1024 2048 4096 2>&1 | tee "$out/matmul-cublas.txt"
fi
if [[ $what == *tests* ]]; then
  # The JUnit console launcher does not expand lib/* in --class-path, so pass the class path to java itself.
  cp="$h/test-classes:$(ls "$h"/lib/*.jar | tr '\n' ':')"
  /tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dorg.lwjgl.system.stackSize=1024 -jar "$(ls "$h"/tools/junit-platform-console-standalone-*.jar | head -1)" execute \
    --class-path "$cp" --scan-class-path "$h/test-classes" --include-tag gpu \
    --details=summary --disable-banner > "$out/gpu-tests.txt" 2>&1
  echo "junit exit code $?"
  tail -40 "$out/gpu-tests.txt"
fi
