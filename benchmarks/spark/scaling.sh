#!/usr/bin/env bash
# Runs the Spark scaling figure on a machine packed by benchmarks/spark/pack.sh (see there). Two calls in a row:
#   bash benchmarks/spark/scaling.sh stage          # with .spark-a carried: unpacks it to $SPARK_PACK (kept between calls)
#   bash benchmarks/spark/scaling.sh run 1,2,4,8    # with .spark-b carried: adds it and runs local[n] for each n
# JAVA_OPTS adds JVM options (e.g. -Djasg.cpu.threads=1: one core per replica). Prints the CPU model, the JDK and one line per n: workers, samples/s, efficiency.
set -euo pipefail
home=${SPARK_PACK:-/tmp/jasg-spark-pack}
case "${1:-}" in
  stage)
    rm -rf "$home" && mkdir -p "$home"
    cp -r .spark-a/. "$home/" && tar -C "$home" -xJf "$home/jre.tar.xz" && rm "$home/jre.tar.xz"
    echo "staged $(du -sh "$home" | cut -f1) in $home" ;;
  run)
    [ -x "$home/jre/bin/java" ] || { echo "scaling.sh: run 'stage' first (with .spark-a carried)" >&2; exit 2; }
    cp -r .spark-b/lib/. "$home/lib/"
    cp=$(sed "s#^#$home/lib/#" "$home/classpath.txt" | paste -sd: -)
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; $("$home/jre/bin/java" -version 2>&1 | head -1)"
    cd "$home"
    "$home/jre/bin/java" $(cat jvm-options.txt) -Xss8m -Xmx16g ${JAVA_OPTS:-} --add-modules jdk.incubator.vector -cp "$cp" \
      dev.jasg.examples.SparkFashionMnist --scaling "${2:-1,2,4,8}" --steps "${STEPS:-100}" --limit "${LIMIT:-8000}" \
      --data "$home/data" 2>&1 | grep -v ' INFO \| WARN \|^SLF4J\|^Using Spark' ;;
  *) echo "usage: scaling.sh stage | run LIST" >&2; exit 2 ;;
esac
