#!/usr/bin/env bash
# Inference side by side with ONNX Runtime Java (CPU): the zoo's resnet18 (batch 1 and 32,
# 224 x 224) and a GPT-2-small forward (12 layers, d=768, 128 tokens, batch 1 and 8), each exported
# by JASG's own ONNX export with the very weights JASG holds and run by both peers in one JVM, in
# interleaved rounds (dev.jasg.bench.InferencePeers says what is timed). JASG's kernel pool takes one
# thread per available processor, so the JVM is held to --threads processors
# (-XX:ActiveProcessorCount), and ONNX Runtime gets as many intra-op threads.
#
#   benchmarks/peers/inference.sh [--threads 2] [--no-build] [InferencePeers arguments: --rounds 3 --seconds 5 --warmup 3 --only resnet18 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=2 build=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift ;;
    --no-build) build=0 ;;
    *) args+=("$1") ;;
  esac
  shift
done
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ "$build" = 1 ] && { echo "# building the benchmarks jar" >&2; mvn -q -pl benchmarks -am package -DskipTests; }
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(lscpu | sed -n 's/^Model name: *//p') cpus=$(nproc) load $(cut -d' ' -f1-3 /proc/loadavg)"
# 6 GB of heap: GPT-2's logits at batch 8 are 8 x 128 x 50257 floats (206 MB) per peer and run
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:ActiveProcessorCount="$threads" -Xmx6g \
  -cp benchmarks/target/benchmarks.jar dev.jasg.bench.InferencePeers --threads "$threads" "${args[@]}"
