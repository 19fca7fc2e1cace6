#!/usr/bin/env bash
# Packs several modules for the GPU machine into one .gpu/ (the shared bundle.sh packs one):
# their jars, test classes and dependencies side by side. Usage, from the repo root:
#   bash benchmarks/gpu/pack.sh asg-runtime-gpu benchmarks [MODULE...]
# Then, on the GPU machine, with carry [".gpu"]: bash benchmarks/gpu/gpu-machine.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
bundle=${JASG_BUNDLE:-$root/../shared/gpu/bundle.sh}
[ $# -gt 0 ] || { echo "usage: pack.sh MODULE [MODULE...]" >&2; exit 2; }
tmp=$(mktemp -d)
mkdir -p "$tmp/lib" "$tmp/test-classes" "$tmp/tools"
for m in "$@"; do
  bash "$bundle" "$m"
  # The module's own classes go beside its test classes (run.sh puts test-classes on the class path); its jars,
  # shaded ones included, would only repeat the dependencies.
  rm -f .gpu/lib/"$m".jar .gpu/lib/original-"$m".jar .gpu/lib/"$m"-[0-9]*.jar
  cp -rn "$m/target/classes/." "$tmp/test-classes/"
  cp -n .gpu/lib/*.jar "$tmp/lib/"
  if [ -d .gpu/test-classes ]; then cp -rn .gpu/test-classes/. "$tmp/test-classes/"; fi
  cp -n .gpu/tools/*.jar "$tmp/tools/" 2>/dev/null || true
done
# The device machine is sent 64 MiB with the tree: leave out what no GPU test or benchmark main loads there (JMH; the
# viewer's look and charts). PACK_DROP replaces the list. ONNX Runtime's jar (133 MB, natives for every platform) keeps
# only its linux-x64 library (~9 MB packed), for the host CPU's inference side by side (gpu-machine.sh inference).
for pat in ${PACK_DROP:-jmh-core-* commons-math3-* jopt-simple-* jfreechart-* jfreesvg-* flatlaf-*}; do
  rm -f "$tmp"/lib/$pat
done
for ort in "$tmp"/lib/onnxruntime-*.jar; do
  [ -e "$ort" ] || continue
  if ! command -v zip >/dev/null; then
    echo "pack.sh: no zip here (apt-get install zip): ONNX Runtime left out, so gpu-machine.sh inference cannot run" >&2
    rm -f "$ort"
  elif ! zip -q -d "$ort" 'ai/onnxruntime/native/osx-*' 'ai/onnxruntime/native/win-*' 'ai/onnxruntime/native/linux-aarch64/*'; then
    echo "pack.sh: could not cut $ort down to linux-x64: left out" >&2
    rm -f "$ort"
  fi
done
rm -rf .gpu/lib .gpu/test-classes .gpu/tools
mv "$tmp/lib" "$tmp/test-classes" "$tmp/tools" .gpu/
rmdir "$tmp"
du -sh .gpu
