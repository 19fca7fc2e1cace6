#!/usr/bin/env bash
# Runs on the GPU machine (see ../shared/gpu/README.md) from the repo root with .gpu/ beside it, after
# `bash benchmarks/gpu/pack.sh asg-runtime-gpu asg-runtime-opencl benchmarks` here: the Vulkan (tag gpu) and
# OpenCL (tag opencl) tests of every packed module (the op tables included; OpenCL picks the NVIDIA CUDA
# platform's GPU before pocl), then the Vulkan and OpenCL matmul benchmarks beside cuBLAS at the same sizes
# (TILES: the OpenCL tile shapes to try). Writes logs under $OUT when it is set. Arguments: "tests", "bench"
# or both (default), and "peers": the training workloads of dev.jasg.bench.Peers on Vulkan, with the plan's fusion
# (issue 20) and without it (-Djasg.vulkan.fusion=false), for the same run's comparison; "conv": ConvBench's layers
# with the weight gradient's split-K and without it (-Djasg.vulkan.splitK=false), then cuDNN's on the same layers.
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
what=${*:-tests bench}
bash .gpu/run.sh main java.lang.Object >/dev/null 2>&1 || true   # unpacks the runtime and the loaders
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
if [[ $what == *bench* ]]; then
  bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 1024 2048 4096 2>&1 | grep -v '^\[main\] INFO' | tee "$out/matmul-vulkan.txt"
  bash .gpu/run.sh main dev.jasg.bench.opencl.MatmulBench 1024 2048 4096 --tiles "${TILES:-128x128x16,128x128x8,128x64x16,64x128x16}" 2>&1 \
    | grep -v '^\[main\] INFO' | tee "$out/matmul-opencl.txt"
  python3 benchmarks/gpu/torch_matmul.py 1024 2048 4096 2>&1 | tee "$out/matmul-cublas.txt"
fi
if [[ $what == *peers* ]]; then
  bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --seconds "${SECONDS_EACH:-5}" --warmup 5 2>&1 | grep -v '^\[main\] INFO' \
    | tee "$out/peers-vulkan.txt"
  JAVA_TOOL_OPTIONS=-Djasg.vulkan.fusion=false bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --seconds "${SECONDS_EACH:-5}" --warmup 5 2>&1 \
    | grep -v '^\[main\] INFO' | sed 's/^jasg_/jasg_unfused_/' | tee "$out/peers-vulkan-unfused.txt"
fi
if [[ $what == *conv* ]]; then
  bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench 2>&1 | grep -v '^\[main\] INFO' | tee "$out/conv-vulkan.txt"
  JAVA_TOOL_OPTIONS=-Djasg.vulkan.splitK=false bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench 2>&1 | grep -v '^\[main\] INFO' \
    | sed 's/^conv /conv-onepass /' | tee "$out/conv-vulkan-onepass.txt"
  python3 benchmarks/gpu/torch_conv.py 2>&1 | tee "$out/conv-cudnn.txt"
fi
if [[ $what == *tests* ]]; then
  # The JUnit console launcher does not expand lib/* in --class-path, so pass the class path to java itself.
  cp="$h/test-classes:$(ls "$h"/lib/*.jar | tr '\n' ':')"
  for tag in ${TAGS:-gpu opencl}; do
    JASG_REQUIRE_GPU=1 JASG_REQUIRE_OPENCL=1 /tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      --sun-misc-unsafe-memory-access=allow -Dorg.lwjgl.system.stackSize=1024 -XX:ErrorFile="$out/hs_err_%p.log" \
      -jar "$(ls "$h"/tools/junit-platform-console-standalone-*.jar | head -1)" execute \
      --class-path "$cp" --scan-class-path "$h/test-classes" --include-tag "$tag" \
      --details=${DETAILS:-summary} --disable-banner > "$out/$tag-tests.txt" 2>&1
    echo "junit ($tag) exit code $?"
    grep -E "tests (found|successful|failed|aborted)|containers failed" "$out/$tag-tests.txt"
    grep -B2 -A12 "Failures (" "$out/$tag-tests.txt" | head -60
  done
  # a JVM that died in a driver leaves no summary: name the frame (DETAILS=tree shows the last test started)
  for f in "$out"/hs_err_*.log; do
    if [ -e "$f" ]; then echo "JVM crash: $f"; grep -m1 -A1 "Problematic frame" "$f"; grep -m8 -E "^[jJCV] +" "$f"; fi
  done
fi
