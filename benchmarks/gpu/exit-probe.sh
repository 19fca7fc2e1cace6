#!/usr/bin/env bash
# Runs on the GPU machine (after pack.sh, with .gpu carried): ends a Vulkan-using JVM in several ways and prints
# each exit code and the crashing frame, if any (issue 20's exit crash on NVIDIA's headless driver).
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
bash .gpu/run.sh main java.lang.Object >/dev/null 2>&1 || true
icd=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
echo "ICD file: $icd"; cat "$icd"; echo
lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "$icd")
nv=$(ldconfig -p | grep -o 'libnvidia-[a-z]*core[^ ]*' | sort -u | paste -sd, -)
echo "driver libraries: $lib $nv"
cp="$h/test-classes:$(ls "$h"/lib/*.jar | tr '\n' ':')"
run() {
  local name=$1; shift
  rm -f "$out"/hs_err_probe_*.log
  env ${PROBE_ENV:-} /tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dorg.lwjgl.system.stackSize=1024 \
    -XX:ErrorFile="$out/hs_err_probe_$name.log" -cp "$cp" dev.jasg.bench.gpu.ExitProbe "$@" > "$out/probe-$name.txt" 2>&1
  local rc=$?
  echo "== $name ($*): exit $rc; $(grep -c 'matmul sum' "$out/probe-$name.txt") matmul line(s)"
  [ -e "$out/hs_err_probe_$name.log" ] && { grep -m1 -A1 "Problematic frame" "$out/hs_err_probe_$name.log"; grep -m1 "^Current thread" "$out/hs_err_probe_$name.log"; grep -m6 -E "^[CjJV] +" "$out/hs_err_probe_$name.log"; }
  grep -v 'INFO\|SLF4J\|WARNING' "$out/probe-$name.txt" | tail -3
}
# which libraries the loader opens, and implicit layers
VK_LOADER_DEBUG=layer,driver /tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$cp" dev.jasg.bench.gpu.ExitProbe > "$out/probe-loader-debug.txt" 2>&1
grep -iE "layer|libEGL|libGLX|Loading|icd" "$out/probe-loader-debug.txt" | sort | uniq -c | sort -rn | head -25
ls /usr/share/vulkan/implicit_layer.d /etc/vulkan/implicit_layer.d /usr/local/nvidia/share/vulkan/implicit_layer.d 2>/dev/null
egl_icd=/tmp/nvidia_egl_icd.json
sed 's/libGLX_nvidia.so.0/libEGL_nvidia.so.0/' "$icd" > "$egl_icd"
if [ -n "${VARIANTS:-}" ]; then eval "$VARIANTS"; else
run baseline
run noclose --no-close
run halt --halt
run exit --exit
run nodelete-icd --nodelete "$lib"
run nodelete-all --nodelete "$lib,$nv"
fi
PROBE_ENV="VK_LOADER_LAYERS_DISABLE=~implicit~" run no-implicit-layers
PROBE_ENV="EGL_PLATFORM=surfaceless" run egl-surfaceless
PROBE_ENV="EGL_PLATFORM=device" run egl-device
PROBE_ENV="__GL_THREADED_OPTIMIZATIONS=0" run gl-threaded-off
PROBE_ENV="VK_DRIVER_FILES=$egl_icd" run icd-egl
PROBE_ENV="VK_DRIVER_FILES=$egl_icd VK_LOADER_LAYERS_DISABLE=~implicit~" run icd-egl-no-layers
PROBE_ENV="__NV_DISABLE_EXPLICIT_SYNC=1" run no-explicit-sync
true
