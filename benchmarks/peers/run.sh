#!/usr/bin/env bash
# Runs the four workloads (sgemm, mlp, cnn, transformer) on JASG's CPU backend and on PyTorch (and,
# with --dl4j, on DL4J SameDiff) side by side: for each round and workload, the peers run one right
# after the other, so each round gives same-run ratios; the summary prints the median of every
# figure and of the per-round ratios. Only same-run ratios mean anything on a shared machine.
#
#   benchmarks/peers/run.sh [--rounds 3] [--seconds 5] [--warmup 10] [--dl4j] [--no-build] [--only NAME]...
#   benchmarks/peers/run.sh --alternate 8 [--seconds 2] [--warmup 10] [--no-build] [--only NAME]... [--variant NAME=JVM_OPTIONS]...
#
# --alternate N: instead of rounds, alternate.py starts each peer once per workload and times them in turn, N windows
# of --seconds each (a window's ratio against the better PyTorch of that window): on a machine whose speed drifts
# within minutes, ratios from windows seconds apart are steadier than from runs a minute apart. No DL4J or memory
# figures in that mode. --variant (with --alternate) adds a JASG peer with those JVM options, reported against the plain
# one window by window (alternate.py).
#
# Needs: a JDK 21+ (JAVA_HOME), Maven, and for PyTorch Debian's python3-torch and libopenblas0-pthread
# (apt-get install python3-torch libopenblas0-pthread). PyTorch runs with torch.set_num_threads(2)
# and the machine's OPENBLAS_CORETYPE, JASG with its fixed pool (one thread per processor).
# OPENBLAS_CORETYPE, when unset, is chosen here for PyTorch's best: where OpenBLAS does not know the CPU
# (Debian 12's 0.3.21 takes a 2-vCPU Emerald Rapids guest, family 6 model 207, for a generic "Prescott" core
# and ran sgemm 1024^3 at 44-53 GFLOPS against 232-287 as "SkylakeX", 2026-12-07), or takes a kernel narrower than
# the CPU's vectors (an AVX-512 AMD Zen 4/5 may be run as "Zen", AVX2), the script sets the kernel of the CPU's vector
# width (avx512f: SkylakeX; avx2: Haswell, or Zen on AMD) and prints what it set.
# Warm-up 10 s for every peer (was 5): a fresh JVM runs JASG's Vector API kernels boxed until C2 has compiled them
# from the real calls (after the first step's scalar twins, the default warm-up mode), 4-6 s of training on a
# 2-vCPU machine; with -Djasg.cpu.warmup=compiled (twins until seen compiled) it took 5-15 s on a loaded one.
#
# DL4J (--dl4j) runs tuned, as its users run it, not on JVM defaults (which left it far below its
# potential: mlp 11k samples/s where a tuned JVM gives 70k on the same Intel Xeon):
#   -Xms2g -Xmx2g  a fixed 2 GB heap. JavaCPP, under ND4J, caps its off-heap buffers by the heap
#                  size (maxbytes = -Xmx, maxphysicalbytes = 2 x -Xmx) and calls System.gc() when
#                  the cap is reached; a fixed heap keeps the cap and the GC sizing constant.
#   -Xmn24m        a 24 MB young generation. ND4J's native buffers are freed only when their small
#                  Java handles are collected; with a small young generation minor collections come
#                  every few steps and free them promptly, instead of native memory piling up behind
#                  a large eden until JavaCPP forces full collections.
#   --dl4j-warmup 30 (default 30 s): ND4J's first steps include oneDNN primitive creation and
#                  SameDiff's graph set-up; 30 s of warm-up is what reaches its steady state.
#   OMP_NUM_THREADS=2  the same two threads as the other peers.
#   nd4j-native classifier: linux-x86_64-onednn-avx512 when /proc/cpuinfo lists avx512f, else
#                  linux-x86_64-onednn-avx2 (an AVX-512 binary does not run without AVX-512); the
#                  DL4J peer is built for that classifier (benchmarks/peers/dl4j/target/nd4j.classifier
#                  records which), and a build for another classifier is rebuilt.
# DL4J_JAVA_OPTS overrides the JVM flags above.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=3 seconds=5 warmup=10 dl4j=0 build=1 dl4j_warmup=30 alternate=0
only=()
variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --alternate) alternate=$2; shift ;;
    --variant) variants+=(--variant "$2"); shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --dl4j) dl4j=1 ;;
    --dl4j-warmup) dl4j_warmup=$2; shift ;;
    --no-build) build=0 ;;
    --only) only+=("$2"); shift ;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--warmup S] [--dl4j] [--dl4j-warmup S] [--no-build] [--only NAME]... [--alternate N [--variant NAME=JVM_OPTIONS]...]" >&2; exit 2 ;;
  esac
  shift
done
[ ${#only[@]} -gt 0 ] || only=(sgemm mlp cnn transformer)
[ "$alternate" = 0 ] || [[ "$alternate" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --alternate takes a positive number of windows, got '$alternate'" >&2; exit 2; }
[ ${#variants[@]} -eq 0 ] || [ "$alternate" != 0 ] || { echo "run.sh: --variant needs --alternate N" >&2; exit 2; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# the nd4j-native build that runs on this CPU (see the header)
avx512=0; grep -qw avx512f /proc/cpuinfo 2>/dev/null && avx512=1
if [ "$avx512" = 1 ]; then nd4j_classifier=linux-x86_64-onednn-avx512; else nd4j_classifier=linux-x86_64-onednn-avx2; fi
DL4J_JAVA_OPTS=${DL4J_JAVA_OPTS:--Xms2g -Xmx2g -Xmn24m}

# the OpenBLAS kernel PyTorch's products run (see the header): OpenBLAS names its choice with OPENBLAS_VERBOSE=2
coretype_note=""
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  picked=$(OPENBLAS_VERBOSE=2 "$PY" -c "import torch; torch.mm(torch.ones(64, 64), torch.ones(64, 64))" 2>&1 | sed -n "s/^Core: *//p" | head -1 || true)
  if [ "$avx512" = 1 ]; then want=SkylakeX; good="SkylakeX Cooperlake SapphireRapids"
  elif grep -qw avx2 /proc/cpuinfo; then
    if grep -q AuthenticAMD /proc/cpuinfo; then want=Zen; else want=Haswell; fi
    good="Haswell Zen SkylakeX Cooperlake SapphireRapids"
  else want=""; good=""; fi
  if [ -n "$picked" ] && [ -n "$want" ] && [[ " $good " != *" $picked "* ]]; then
    export OPENBLAS_CORETYPE=$want
    coretype_note=" (OpenBLAS took this CPU for $picked; set $want for PyTorch)"
  fi
fi
if [ "$build" = 1 ]; then
  echo "# building the benchmarks jar" >&2
  mvn -q -pl benchmarks -am package -DskipTests
fi
if [ "$dl4j" = 1 ] && { [ "$build" = 1 ] || [ "$(cat benchmarks/peers/dl4j/target/nd4j.classifier 2>/dev/null)" != "$nd4j_classifier" ]; }; then
  echo "# building the DL4J peer for $nd4j_classifier" >&2
  mvn -q -f benchmarks/peers/dl4j/pom.xml package -Dnd4j.classifier="$nd4j_classifier"
  echo "$nd4j_classifier" > benchmarks/peers/dl4j/target/nd4j.classifier
fi
log=$(mktemp /tmp/jasg-peers.XXXXXX)
echo "# log: $log" >&2
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(lscpu | sed -n 's/^Model name: *//p') cpus=$(nproc) OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}$coretype_note"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$dl4j" = 1 ]; then echo "# dl4j: nd4j-native $nd4j_classifier, JVM $DL4J_JAVA_OPTS, OMP_NUM_THREADS=2, warm-up ${dl4j_warmup} s"; fi
} | tee -a "$log"
if [ "$alternate" != 0 ]; then
  [ "$dl4j" = 0 ] || echo "# --alternate: DL4J is not run in this mode" | tee -a "$log"
  only_args=()
  for w in "${only[@]}"; do only_args+=(--only "$w"); done
  "$PY" benchmarks/peers/alternate.py --windows "$alternate" --window "$seconds" --warmup "$warmup" "${only_args[@]}" "${variants[@]}" \
    | tee -a "$log"
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
  exit 0
fi
for r in $(seq 1 "$rounds"); do
  for w in "${only[@]}"; do
    echo "round $r $w" >> "$log"
    "$JAVA" --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar dev.jasg.bench.Peers \
      --only "$w" --seconds "$seconds" --warmup "$warmup" 2>/dev/null | tee -a "$log" | grep "^jasg_$w " >&2 || true
    # PyTorch twice: as configured, and with OpenMP's idle threads sleeping instead of spinning
    # (OMP_WAIT_POLICY=PASSIVE), which is much faster when other processes share the cores; the
    # ratio is taken against the better of the two
    "$PY" benchmarks/peers/torch_peers.py --only "$w" --seconds "$seconds" --warmup "$warmup" 2>/dev/null \
      | tee -a "$log" | grep "^torch_$w " >&2 || echo "# torch_$w failed (is python3-torch installed?)" | tee -a "$log" >&2
    OMP_WAIT_POLICY=PASSIVE "$PY" benchmarks/peers/torch_peers.py --only "$w" --seconds "$seconds" --warmup "$warmup" 2>/dev/null \
      | sed 's/^torch_/torchpassive_/' | tee -a "$log" | grep "^torchpassive_$w " >&2 || true
    if [ "$dl4j" = 1 ]; then
      # shellcheck disable=SC2086 # DL4J_JAVA_OPTS is a list of flags
      OMP_NUM_THREADS=2 "$JAVA" $DL4J_JAVA_OPTS --enable-native-access=ALL-UNNAMED \
        -cp "benchmarks/peers/dl4j/target/classes:$(cat benchmarks/peers/dl4j/target/classpath.txt)" dev.jasg.bench.dl4j.Dl4jPeers \
        --only "$w" --seconds "$seconds" --warmup "$dl4j_warmup" 2>/dev/null | grep -v "^Added differentiated" | tee -a "$log" | grep "^dl4j_$w " >&2 || true
    fi
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"

"$PY" - "$log" <<'PY'
import re, statistics, sys
rounds = {}   # (round, workload) -> {peer: value}
units = {}
memory = {}   # (peer, workload) -> peak step memory per round, MiB
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"round (\d+) (\w+)", line)
    if m:
        cur = (int(m.group(1)), m.group(2)); rounds[cur] = {}; continue
    m = re.match(r"(jasg|torch)_(\w+)_step_peak_memory ([0-9.]+) MiB$", line.strip())
    if m and cur and m.group(2) == cur[1]:
        memory.setdefault((m.group(1), cur[1]), []).append(float(m.group(3))); continue
    m = re.match(r"jasg_(\w+)_step_objects ([0-9.]+) MiB$", line.strip())
    if m and cur and m.group(1) == cur[1]:
        memory.setdefault(("objects", cur[1]), []).append(float(m.group(2))); continue
    m = re.match(r"(jasg|torch|torchpassive|dl4j)_(\w+) ([0-9.]+) (\S+)$", line.strip())
    if m and cur and m.group(2) == cur[1]:
        peer, v = m.group(1), float(m.group(3))
        units[cur[1]] = m.group(4)
        if peer.startswith("torch"):
            rounds[cur]["torchdefault" if peer == "torch" else peer] = v
            rounds[cur]["torch"] = max(v, rounds[cur].get("torch", 0))  # the better torch of the round
        else:
            rounds[cur][peer] = v
def med(xs): return statistics.median(xs) if xs else float("nan")
print()
print("torch = the better of PyTorch as configured and with OMP_WAIT_POLICY=PASSIVE, per round")
print(f"{'workload':12} {'unit':10} {'jasg':>10} {'torch':>10} {'(default)':>10} {'(passive)':>10} {'dl4j':>10} {'jasg/torch':>11} {'jasg/dl4j':>10}   (medians; ratios are medians of same-round ratios)")
for w in dict.fromkeys(k[1] for k in rounds):
    rs = [v for k, v in rounds.items() if k[1] == w]
    col = lambda p: [r[p] for r in rs if p in r]
    ratio = lambda p: [r["jasg"] / r[p] for r in rs if "jasg" in r and p in r and r[p] > 0]
    f = lambda x: "-" if x != x else f"{x:.1f}"
    g = lambda x: "-" if x != x else f"{x:.2f}"
    print(f"{w:12} {units.get(w, ''):10} {f(med(col('jasg'))):>10} {f(med(col('torch'))):>10} {f(med(col('torchdefault'))):>10} {f(med(col('torchpassive'))):>10} {f(med(col('dl4j'))):>10} "
          f"{g(med(ratio('torch'))):>11} {g(med(ratio('dl4j'))):>10}   per round vs torch: {', '.join(f'{x:.2f}' for x in ratio('torch'))}")
print()
print("peak step memory, MiB (JASG: heap peak over the heap before the workload was built, G1's whole regions for large arrays")
print("included; objects: the bytes of the objects kept, without that rounding; PyTorch: peak RSS growth from just before)")
for w in dict.fromkeys(k[1] for k in rounds):
    j, t, o = med(memory.get(("jasg", w), [])), med(memory.get(("torch", w), [])), med(memory.get(("objects", w), []))
    r = lambda x: x / t if t == t and t > 0 else float("nan")
    print(f"{w:12} jasg {j:8.1f}   objects {o:8.1f}   torch {t:8.1f}   jasg/torch {r(j):.2f}   objects/torch {r(o):.2f}")
PY
