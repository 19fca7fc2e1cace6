#!/usr/bin/env bash
# Time to the first training step of a fresh JVM (dev.jasg.bench.ColdStart: the benchmarks'
# transformer workload built, compiled and stepped once, timed from process start), in N fresh JVMs
# per variant, the variants interleaved; prints the median wall-clock time and the median CPU time
# (all threads) per variant.
#
#   benchmarks/peers/coldstart.sh [--runs 5] [--no-build] [--workload transformer] [--own-autogroup] [--variant NAME]...
#
# The time is from just before `java` runs (passed as -Djasg.coldstart.launchMillis), not from the
# process start Linux reports, which is early by the fraction of a second of the boot time it rounds.
# --own-autogroup (root, Linux) runs each JVM in a session of its own at autogroup nice -20, so that
# other sessions' work on a shared machine barely slows it: a quiet machine's figures on a busy one.
#
# Variants (all by default):
#   plain      java --add-modules jdk.incubator.vector -cp benchmarks.jar ... (the default warm-up mode,
#              -Djasg.cpu.warmup=firstRun: scalar twins until the first step ends, then the vector kernels)
#   warmup     plain plus -Djasg.cpu.warmup=compiled: scalar twins until the warm-up thread (elementwise
#              kernels) and GemmWarm (the products) have seen each vector kernel compiled (the opt-in of
#              2026-12-03: the steady state comes seconds later with it)
#   nowarmup   plain plus -Djasg.cpu.warmup=false: every Vector API kernel used from its first call,
#              boxed until C2 has compiled it (the default until 2026-12-04)
#   aot        the same with -XX:AOTCache=benchmarks/target/coldstart.aot (JDK 25, JEP 483/514/515:
#              classes loaded and linked, and method profiles, from a training run); the cache is
#              made first, when missing or older than the jar, by one training run:
#                java -XX:AOTCacheOutput=benchmarks/target/coldstart.aot --add-modules jdk.incubator.vector \
#                  -cp benchmarks/target/benchmarks.jar dev.jasg.bench.ColdStart --steps 20
#   cds        the same with -XX:SharedArchiveFile=benchmarks/target/coldstart.jsa, a dynamic CDS archive made first, when
#              missing or older than the jar, by one training run with -XX:ArchiveClassesAtExit (classes loaded and
#              linked, and the lambdas' proxy classes, which the AOT cache cannot hold under --add-modules; no profiles)
#   autocds    -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=benchmarks/target/coldstart-auto.jsa (JDK 19+): the
#              same kind of archive, made by the JVM when the variant's first run exits (that run without it; removed
#              first, so the first run counts) and used from then on
#   aot-c2     aot plus -XX:-TieredCompilation (no C1: its Vector API code is boxed)
#   plain-c2   plain plus -XX:-TieredCompilation
#   cts        plain plus -XX:CompileThresholdScaling=0.05 (the JIT compiles hot code after 1/20 of
#              the usual invocations and loop iterations, so the Vector API kernels reach C2, where
#              they stop running boxed, sooner)
#   aot-cts    aot plus -XX:CompileThresholdScaling=0.05
#   tiletwins  plain plus -Djasg.cpu.twinBlocks=false (the products' scalar twins tile by tile, as before 2026-12-06,
#              instead of a block at a time in loops C2 vectorises)
#   scalar     plain plus -Djasg.cpu.vector=false (JASG's scalar kernels and EJML: no Vector API code
#              at all, for comparison; slow in steady state)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=5 build=1 workload=transformer own=0
variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --no-build) build=0 ;;
    --workload) workload=$2; shift ;;
    --own-autogroup) own=1 ;;
    --variant) variants+=("$2"); shift ;;
    *) echo "usage: $0 [--runs N] [--no-build] [--workload NAME] [--own-autogroup] [--variant plain|warmup|aot-warmup|nowarmup|aot|aot-nowarmup|cds|autocds|aot-c2|plain-c2|cts|aot-cts|scalar|tiletwins]..." >&2; exit 2 ;;
  esac
  shift
done
[ ${#variants[@]} -gt 0 ] || variants=(plain aot nowarmup warmup)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=benchmarks/target/benchmarks.jar
aot=benchmarks/target/coldstart.aot
jsa=benchmarks/target/coldstart.jsa
autojsa=benchmarks/target/coldstart-auto.jsa
rm -f "$autojsa"
[ "$build" = 1 ] && { echo "# building the benchmarks jar" >&2; mvn -q -pl benchmarks -am package -DskipTests; }
base=(--add-modules jdk.incubator.vector -cp "$jar" dev.jasg.bench.ColdStart --workload "$workload" --steps 3)
# an archive is made again when missing, older than the jar, or made by another JVM (its version in a file beside it): a JVM
# cannot use another's archive, and says so on stdout instead of timing the variant
jvm=$("$JAVA" -version 2>&1 | head -1)
stale() { [ ! -f "$1" ] || [ "$1" -ot "$jar" ] || [ "$(cat "$1.jvm" 2>/dev/null)" != "$jvm" ]; }
# archive FILE OPTION WHAT: FILE made by one training run with -XX:OPTION=FILE where stale
archive() {
  stale "$1" || return 0
  echo "# making the $3 $1 (one training run)" >&2
  rm -f "$1"
  "$JAVA" "-XX:$2=$1" --add-modules jdk.incubator.vector -cp "$jar" dev.jasg.bench.ColdStart --workload "$workload" --steps 20 >/dev/null 2>&1
  echo "$jvm" > "$1.jvm"
}
[[ " ${variants[*]} " == *" aot"* ]] && archive "$aot" AOTCacheOutput "AOT cache"
[[ " ${variants[*]} " == *" cds "* ]] && archive "$jsa" ArchiveClassesAtExit "dynamic CDS archive"
flags() {
  case "$1" in
    plain) ;;
    nowarmup) echo "-Djasg.cpu.warmup=false" ;;
    warmup) echo "-Djasg.cpu.warmup=compiled" ;;
    aot-warmup) echo "-XX:AOTCache=$aot -Djasg.cpu.warmup=compiled" ;;
    aot-nowarmup) echo "-XX:AOTCache=$aot -Djasg.cpu.warmup=false" ;;
    aot) echo "-XX:AOTCache=$aot" ;;
    cds) echo "-XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:aot=off" ;;
    autocds) echo "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$autojsa -Xlog:cds=off -Xlog:aot=off" ;;
    aot-c2) echo "-XX:AOTCache=$aot -XX:-TieredCompilation" ;;
    plain-c2) echo "-XX:-TieredCompilation" ;;
    cts) echo "-XX:CompileThresholdScaling=0.05" ;;
    aot-cts) echo "-XX:AOTCache=$aot -XX:CompileThresholdScaling=0.05" ;;
    scalar) echo "-Djasg.cpu.vector=false" ;;
    tiletwins) echo "-Djasg.cpu.twinBlocks=false" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
log=$(mktemp /tmp/jasg-coldstart.XXXXXX)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(lscpu | sed -n 's/^Model name: *//p') cpus=$(nproc) $("$JAVA" -version 2>&1 | head -1) load $(cut -d' ' -f1-3 /proc/loadavg) log $log" | tee -a "$log"
for r in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    # shellcheck disable=SC2046 # flags are words
    if [ "$own" = 1 ]; then
      out=$(setsid -w bash -c 'echo -20 > /proc/self/autogroup; exec "$1" -Djasg.coldstart.launchMillis=$(date +%s%3N) "${@:2}"' _ "$JAVA" $(flags "$v") "${base[@]}" 2>/dev/null)
    else
      out=$("$JAVA" -Djasg.coldstart.launchMillis="$(date +%s%3N)" $(flags "$v") "${base[@]}" 2>/dev/null)
    fi
    # (a JVM's own log lines, such as CDS's complaint that the JDK's base archive was dumped without --add-modules, go to
    # stdout too: only ColdStart's lines are kept)
    echo "$out" | grep -E '^(coldstart|# to main)' | head -2 | sed "s/^/$v /" | tee -a "$log" >&2
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
"$PY" - "$log" <<'PY'
import re, statistics, sys
wall, cpu = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) coldstart \S+ first_step_done (\d+) ms from process start, cpu (\d+) ms", line)
    if m:
        wall.setdefault(m.group(1), []).append(int(m.group(2))); cpu.setdefault(m.group(1), []).append(int(m.group(3)))
print(f"{'variant':10} {'runs':>4} {'first step done, ms (median)':>30} {'cpu ms (median)':>16}   all")
for v in wall:
    print(f"{v:10} {len(wall[v]):4} {statistics.median(wall[v]):30.0f} {statistics.median(cpu[v]):16.0f}   {wall[v]}")
PY
