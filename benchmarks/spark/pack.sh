#!/usr/bin/env bash
# Packs the Spark scaling run (examples' SparkFashionMnist --scaling) for a machine with more cores and no Java or
# Maven (the GPU machine's 16-core host): a jlink'd runtime with the modules Spark loads, the examples' class path
# with Spark and Hadoop (Hadoop's two shaded jars cut to the packages a local run loads; jars no class was loaded
# from left out), and the first 8,000 Fashion-MNIST training images. The device tool sends at most 64 MiB per call,
# so the pack is split in two folders (the larger jars go to .spark-b until .spark-a is under 50 MB), sent by two calls in a row while the machine stays warm:
#   bash benchmarks/spark/pack.sh                  # writes .spark-a/ (runtime, data, small jars) and .spark-b/
#   device, carry [".spark-a"]: bash benchmarks/spark/scaling.sh stage
#   device, carry [".spark-b"]: bash benchmarks/spark/scaling.sh run 1,2,4,8
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
jdk=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME=$jdk PATH=$jdk/bin:$PATH
limit=${LIMIT:-8000}
grep -qx '/.spark-[ab]/' .git/info/exclude 2>/dev/null || printf '/.spark-a/\n/.spark-b/\n' >> "$(git rev-parse --git-path info/exclude)"

mvn -B -q -o -pl examples -am package -DskipTests
mvn -B -q -o -pl examples dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=/tmp/spark-pack-cp.txt >/dev/null
# this checkout's jars, not the SNAPSHOTs of ~/.m2
cp=$(sed -E "s#[^:]*/dev/jasg/([a-z0-9-]+)/[^/]+/[a-z0-9-]+-[^/]*\.jar#$root/\1/target/\1-0.1.0-SNAPSHOT.jar#g" /tmp/spark-pack-cp.txt)
cp="$root/examples/target/examples-0.1.0-SNAPSHOT.jar:$cp"

# Which classes a short local run loads (the same code paths as local[8], fewer steps).
log=$(mktemp)
java $(cat asg-spark/jvm-options.txt) -Xss8m --add-modules jdk.incubator.vector -Xlog:class+load=info:file="$log" \
  -cp "$cp" dev.jasg.examples.SparkFashionMnist --scaling 1,2 --steps 5 --limit 2000 >/dev/null 2>&1

rm -rf .spark-a .spark-b && mkdir -p .spark-a/lib .spark-b/lib .spark-a/data
modules=$(grep -o 'source: jrt:/[a-z.]*' "$log" | sed 's#source: jrt:/##' | sort -u | paste -sd, -)
jlink --add-modules "$modules,jdk.crypto.ec,jdk.zipfs" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output /tmp/spark-pack-jre/jre
tar -C /tmp/spark-pack-jre -cJf .spark-a/jre.tar.xz jre && rm -rf /tmp/spark-pack-jre

order=()
for jar in $(echo "$cp" | tr ':' ' '); do
  grep -q "source: file:$jar" "$log" || continue
  name=$(basename "$jar")
  case "$name" in
    hadoop-client-api-*|hadoop-client-runtime-*)
      # only the packages a class was loaded from (and every resource)
      grep "source: file:$jar" "$log" | awk '{print $2}' | sed 's/\.[^.]*$//; s#\.#/#g' | sort -u > /tmp/spark-pack-pkgs
      /usr/bin/python3 - "$jar" .spark-b/lib/"$name" /tmp/spark-pack-pkgs <<'PY'
import sys, zipfile, posixpath
src, dst, pk = sys.argv[1:4]
keep = set(open(pk).read().split())
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as zout:
    for e in zin.infolist():
        if e.filename.endswith('.class') and posixpath.dirname(e.filename) not in keep:
            continue
        zout.writestr(e, zin.read(e.filename))
PY
      ;;
    spark-core_*|scala-library-*|spark-network-common_*) cp "$jar" .spark-b/lib/ ;;
    *) cp "$jar" .spark-a/lib/ ;;
  esac
  order+=("$name")
done
printf '%s\n' "${order[@]}" > .spark-a/classpath.txt
for f in $(ls -S .spark-a/lib/); do
  [ "$(du -sm .spark-a | cut -f1)" -le 50 ] && break
  mv ".spark-a/lib/$f" .spark-b/lib/
done
cp asg-spark/jvm-options.txt .spark-a/

# The first $limit training images and 100 test images, as gzip'd IDX files.
/usr/bin/python3 - "$limit" <<'PY'
import gzip, struct, sys, os
limit = int(sys.argv[1]); src = '/usr/share/datasets/fashion-mnist'
def cut(name, n):
    path = os.path.join(src, name + '.gz')
    raw = gzip.open(path).read() if os.path.exists(path) else open(os.path.join(src, name), 'rb').read()
    dims = raw[3]; shape = list(struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims]))
    per = 1
    for d in shape[1:]: per *= d
    head = raw[:4] + struct.pack('>I', n) + raw[8:4 + 4 * dims]
    with gzip.open(os.path.join('.spark-a/data', name + '.gz'), 'wb') as f:
        f.write(head + raw[4 + 4 * dims: 4 + 4 * dims + n * per])
for name, n in [('train-images-idx3-ubyte', limit), ('train-labels-idx1-ubyte', limit),
                ('t10k-images-idx3-ubyte', 100), ('t10k-labels-idx1-ubyte', 100)]:
    cut(name, n)
PY
rm -f "$log"
du -sh .spark-a .spark-b
