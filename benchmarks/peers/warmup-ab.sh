#!/usr/bin/env bash
# The steady state a fresh JVM reaches after a fixed warm-up, with each warm-up mode of the CPU backend's scalar twins
# (-Djasg.cpu.warmup): one JVM per workload, variant and round, the variants interleaved within each round, so each
# round gives same-run ratios against the twins-off JVM. Prints the median throughput per variant and workload, and the
# median of the per-round ratios to "off".
#
#   benchmarks/peers/warmup-ab.sh [--rounds 3] [--seconds 3] [--warmup 8] [--no-build] [--own-autogroup]
#                                 [--only mlp]... [--variant off|firstRun|compiled[-nogemm]]...
#
# --own-autogroup (root, Linux) runs each JVM in a session of its own at autogroup nice -20, as coldstart.sh does.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3 seconds=3 warmup=8 build=1 own=0
workloads=() variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --no-build) build=0 ;;
    --own-autogroup) own=1 ;;
    --only) workloads+=("$2"); shift ;;
    --variant) variants+=("$2"); shift ;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--warmup S] [--no-build] [--own-autogroup] [--only WORKLOAD]... [--variant off|firstRun|compiled]..." >&2; exit 2 ;;
  esac
  shift
done
[ ${#workloads[@]} -gt 0 ] || workloads=(mlp transformer)
[ ${#variants[@]} -gt 0 ] || variants=(off firstRun)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=benchmarks/target/benchmarks.jar
[ "$build" = 1 ] && { echo "# building the benchmarks jar" >&2; mvn -q -pl benchmarks -am package -DskipTests; }
log=$(mktemp /tmp/jasg-warmup-ab.XXXXXX)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(lscpu | sed -n 's/^Model name: *//p') cpus=$(nproc) $("$JAVA" -version 2>&1 | head -1) load $(cut -d' ' -f1-3 /proc/loadavg) warm-up ${warmup} s, measured ${seconds} s, log $log" | tee -a "$log"
for r in $(seq 1 "$rounds"); do
  for w in "${workloads[@]}"; do
    for v in "${variants[@]}"; do
      # a variant is a value of jasg.cpu.warmup, optionally with -nogemm: the GEMM kernels without twins (jasg.cpu.gemmWarmup=false)
      flags=(-Djasg.cpu.warmup="${v%-nogemm}")
      [[ "$v" == *-nogemm ]] && flags+=(-Djasg.cpu.gemmWarmup=false)
      args=("${flags[@]}" --add-modules jdk.incubator.vector -cp "$jar" dev.jasg.bench.Peers --only "$w" --seconds "$seconds" --warmup "$warmup")
      if [ "$own" = 1 ]; then
        out=$(setsid -w bash -c 'echo -20 > /proc/self/autogroup; exec "$@"' _ "$JAVA" "${args[@]}" 2>/dev/null)
      else
        out=$("$JAVA" "${args[@]}" 2>/dev/null)
      fi
      echo "$out" | sed -n "s/^jasg_${w} \([0-9.]*\) .*/round $r $w $v \1/p" | tee -a "$log" >&2
    done
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
"$PY" - "$log" <<'PY'
import statistics, sys
fig = {}
for line in open(sys.argv[1]):
    p = line.split()
    if p and p[0] == "round":
        fig[(p[2], p[3], p[1])] = float(p[4])
ws = sorted({k[0] for k in fig}); vs = sorted({k[1] for k in fig})
print(f"{'workload':12} {'variant':10} {'median':>10} {'ratio to off (median of rounds)':>32}   all")
for w in ws:
    for v in vs:
        xs = [fig[k] for k in fig if k[0] == w and k[1] == v]
        rs = [fig[(w, v, k[2])] / fig[(w, "off", k[2])] for k in fig if k[0] == w and k[1] == v and (w, "off", k[2]) in fig]
        ratio = f"{statistics.median(rs):.3f}" if rs else "-"
        print(f"{w:12} {v:10} {statistics.median(xs):10.1f} {ratio:>32}   {xs} {[round(x, 3) for x in rs]}")
PY
