#!/usr/bin/env bash
# Runs on the GPU machine (see ../shared/gpu/README.md) from the repo root with .gpu/ beside it, after
# `bash benchmarks/gpu/pack.sh asg-runtime-gpu asg-runtime-opencl benchmarks` here: the Vulkan (tag gpu) and
# OpenCL (tag opencl) tests of every packed module (the op tables included; OpenCL picks the NVIDIA CUDA
# platform's GPU before pocl), then the Vulkan and OpenCL matmul benchmarks beside cuBLAS at the same sizes
# (TILES: the OpenCL tile shapes to try). Writes logs under $OUT when it is set. Arguments: "tests", "bench"
# or both (default), and "peers": the training workloads of dev.jasg.bench.Peers on Vulkan, with the plan's fusion
# (issue 20) and without it (-Djasg.vulkan.fusion=false), for the same run's comparison; "conv": ConvBench's layers
# with the weight gradient's split-K and without it (-Djasg.vulkan.splitK=false), then cuDNN's on the same layers.
# "layouts": the convolutions' layout choices (ConvKernels.Layout) each from its default and all off against the defaults, ConvBench interleaved
# (LAYOUT_ROUNDS, LAYOUT_VARIANTS, LAYOUT_LAYERS; conv1x1: 1x1 convolutions on the conv kernel instead of the matrix
# products, -Djasg.vulkan.conv.pointwiseMatmul=false; mg256, mg512: the forward's and input gradient's workgroup target,
# -Djasg.vulkan.conv.minGroups, default 128; nowino: 3x3 stride-1 convolutions on the tiled kernels instead of in
# Winograd form, -Djasg.vulkan.conv.winograd=false; wino64, wino128: Winograd from 64 or 128 channels each way only,
# -Djasg.vulkan.conv.winogradMinChannels; wch4, wch16: the Winograd kernel gradient's tiles in 4 or 16 chunks,
# -Djasg.vulkan.conv.winogradChunks), cuDNN on the same layers,
# the cnn step beside PyTorch's (LAYOUT_STEPS: the variants whose cnn step runs, default "new old"). LAYOUT_STATS=1 prints
# the driver's register counts of the first round's kernels.
# "wgrad": the convolutions' kernel gradient with its tile chosen for WGRAD_VARIANTS' workgroup targets and split caps
# (base: the defaults, the large tiles split across up to 64 workgroups; s32: at most 32 splits,
# -Djasg.vulkan.conv.maxSplits=32; sliced: the sliced small tiles of a 256-workgroup target with 32 splits, the default
# before 2026-12-06, -Djasg.vulkan.conv.wgradMinGroups=256; bk8, bk16: the step depth -Djasg.vulkan.conv.wgradBk=8 or 16,
# which pads image rows of 56, 28 or 14 less), ConvBench interleaved WGRAD_ROUNDS times on
# LAYOUT_LAYERS after one uncounted JVM (the driver's fresh pipelines), then the cnn step under each.
# "mixed": the f16/bf16 products at 4096^3 (the tensor-core kernel where the device has
# cooperative matrices) beside cuBLAS in half, then the transformer training step in f32 and with mixed precision
# (Peers --gpu --mixed) beside PyTorch eager CUDA with and without autocast (COOP_TILES: the tile, e.g. 128x256x32/64x64).
# "sweep": the tensor-core kernel's operand paths and tiles and the f32 kernel's large tiles at 4096^3 beside cuBLAS.
# "wg": the workgroup-scope tensor-core kernel (VK_NV_cooperative_matrix2) at 4096^3 in f16 and bf16 for each tile of
# WG_SWEEP (BMxBNxBK, with -Djasg.vulkan.coopmat2=first), beside the subgroup-scope kernel and cuBLAS in half.
# "coldstart": the host CPU's cold start, 2 cores pinned (COLD_RUNS rounds of COLD_VARIANTS: plain, cds, aot, tiletwins).
# "peak": the tensor-core product's ceilings at 4096^3 (-Djasg.vulkan.coopmat.peak: the products alone, with shared loads,
# the loads from L1, from L2; PEAK_CFGS entries PEAK:TILE, PEAK_DTYPE) beside cuBLAS.
# "f32": the f32 kernel's tiles (F32_TILES) at 4096^3, beside cuBLAS fp32 (TF32 off).
# "schedule": the GPT-2-sized step's products (SCHEDULE_PRODUCTS, MatmulBench --product specs) with the device's own tile
# and split ("auto"), then each of SCHEDULES forced (-Djasg.vulkan.matmul.schedule=I/S: tile index, splits), in f32
# and bf16 (SCHEDULE_DTYPES), and with -Djasg.vulkan.matmul.splitK=false. Products are timed in a second pass in their JVM
# (PRODUCT_PASSES, here and in "profile"): a first JVM ran products whose pipelines the driver had just compiled 3-5x slow.
# "raster": the f32 products in bands of RASTERS rows of tiles (-Djasg.vulkan.matmul.raster) at 4096^3 and on the gpt step's
# products (RASTER_PRODUCTS), RASTER_ROUNDS interleaved rounds (4096^3 twice a JVM: the second after its pipeline is warm), beside cuBLAS at 4096^3.
# "gpt": the GPT-2-small-sized stack (Peers --only gpt) in f32 and bf16 mixed precision beside PyTorch eager/autocast.
# "cpu": the host CPU (2 cores pinned): GemmProbe (PROBE_ROUNDS rounds, 0: skipped), then JASG's CPU training workloads (Peers: sgemm, mlp, cnn, transformer;
# CPU_PROFILE=1 adds one run of cnn and transformer logging the time per op kind) and PyTorch's, each workload in a
# process of its own (its peak RSS growth is then the workload's, not what exceeds an earlier workload's peak).
# "profile": one profiled gpt step (fused plan, PROFILE_MATCH's nodes listed), then its f32 products (GPT_PRODUCTS) beside cuBLAS,
# then PyTorch's f32 step by kernel (torch.profiler).
# "cpudiag": the host CPU's transformer (Peers, 20 s of warm-up) with -XX:+PrintCompilation and the CPU kernels' debug log
# (the twins' hand-over, GemmWarm), full log in $OUT/cpu-diag.txt: when C2 compiles which Vector API kernels on a slow host.
# "inference": the host CPU's inference (InferencePeers) beside ONNX Runtime Java, 2 cores pinned (INFERENCE_ROUNDS, INFERENCE_ARGS).
# "knobs": the host CPU's GEMM under each JVM option string of KNOB_OPTS ('|'-separated, "default" for none; e.g.
# "default|-Djasg.cpu.kc=512|-Djasg.cpu.tileRows=8", or "default|-Djasg.cpu.packA=false"), interleaved KNOB_ROUNDS times, 2 cores pinned: GemmProbe's items
# matching KNOB_PROBE (comma-separated name parts; "none" skips it), then Peers' sgemm and transformer.
# "ab": the Vulkan workloads of AB_WORKLOADS (default gpt; space-separated) with the JVM options AB_OPTS (e.g.
# "-Djasg.vulkan.reorder=false") and without, interleaved AB_ROUNDS times (default 2), for a same-call comparison of a switch
# (AB_ARGS: more Peers arguments, e.g. "--mixed bf16").
# "feeds": a GPT-2-sized feed's way to the device (dev.jasg.gpu.FeedProbe: staging on 1, 4 and 8 threads, the device's copy,
# both), then the gpt step under each of FEED_OPTS ('|'-separated JVM option strings, "default"
# for none) interleaved FEED_ROUNDS times (default 2), then PyTorch's gpt step.
# TESTS_SELECT: JUnit selectors (e.g. "--select-class dev.jasg.gpu.CoopMatMulTest") instead of the whole tag.
set -uo pipefail
out=${OUT:-/tmp}
h=$(pwd)/.gpu
what=${*:-tests bench}
bash .gpu/run.sh main java.lang.Object >/dev/null 2>&1 || true   # unpacks the runtime and the loaders
# the host CPU into $out/cpu.txt (each CPU mode calls it; the same file when several run): its model, caches, AVX-512/AMX
# flags, and the AVX level and vector size the JVM's C2 takes for the Vector API kernels
cpu_info() {
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread\(s\) per core|^CPU family|^Model:|Stepping|MHz|L1d|L2|L3|^Flags' \
    | sed 's/^\(Flags: *\).*/\1'"$(grep -m1 -o 'avx512[a-z_0-9]*\|amx[a-z_0-9]*' /proc/cpuinfo | sort -u | tr '\n' ' ')"'/' | tee "$out/cpu.txt"
  echo "cpu0 siblings: $(cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list 2>/dev/null)" | tee -a "$out/cpu.txt"
  /tmp/jre/bin/java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -E ' (UseAVX|MaxVectorSize|UseFMA|UseSuperWord) ' | tee -a "$out/cpu.txt"
}
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
# the layers the "layouts" and "wgrad" modes time
conv_layers=${LAYOUT_LAYERS:-r3x3-64-56 r3x3-128-28 r3x3-256-14 r1x1-256-64-56 cnn-32-64-14}
if [[ $what == *layouts* ]]; then
  # the convolutions' layout choices (ConvKernels.Layout): ConvBench on LAYOUT_LAYERS with the defaults ("new"), each
  # choice turned from its default alone, and all off ("old"), interleaved LAYOUT_ROUNDS times; cuDNN on the same layers;
  # then the cnn step with the defaults and all off beside PyTorch's
  ll=$conv_layers
  declare -A lv=([new]="" [noswizzle]="-Djasg.vulkan.conv.swizzle=false" [norelayout]="-Djasg.vulkan.conv.relayout=false"
    [kmajor]="-Djasg.vulkan.conv.wgradKMajor=true" [nowide]="-Djasg.vulkan.conv.wide=false"
    [conv1x1]="-Djasg.vulkan.conv.pointwiseMatmul=false"
    [mg256]="-Djasg.vulkan.conv.minGroups=256" [mg512]="-Djasg.vulkan.conv.minGroups=512"
    [nowino]="-Djasg.vulkan.conv.winograd=false" [wino64]="-Djasg.vulkan.conv.winogradMinChannels=64"
    [wino128]="-Djasg.vulkan.conv.winogradMinChannels=128" [wch4]="-Djasg.vulkan.conv.winogradChunks=4"
    [wch16]="-Djasg.vulkan.conv.winogradChunks=16"
    [old]="-Djasg.vulkan.conv.swizzle=false -Djasg.vulkan.conv.relayout=false -Djasg.vulkan.conv.wgradKMajor=false -Djasg.vulkan.conv.wide=false")
  # one uncounted JVM first: a machine's first JVM, whose pipelines the driver compiles fresh, ran some layers 2x slow
  timeout 120 bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench $ll >/dev/null 2>&1
  for r in $(seq "${LAYOUT_ROUNDS:-2}"); do
    for v in ${LAYOUT_VARIANTS:-new old noswizzle norelayout kmajor nowide conv1x1}; do
      stats=""
      [ "${LAYOUT_STATS:-0}" = 1 ] && [ "$r" = 1 ] && stats="-Djasg.vulkan.kernelStatistics=true"
      JAVA_TOOL_OPTIONS="${lv[$v]} $stats" timeout 120 bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench $ll 2>&1 | grep '^conv\|^kernel' \
        | sed "s/^/$v /" | tee -a "$out/layouts.txt"
    done
  done
  python3 benchmarks/gpu/torch_conv.py $ll 2>&1 | tee -a "$out/layouts.txt"
  for v in ${LAYOUT_STEPS:-new old}; do
    JAVA_TOOL_OPTIONS="${lv[$v]}" bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only cnn --seconds 4 --warmup 3 2>&1 \
      | grep -E '^jasg_cnn |^# cnn' | sed "s/^/$v /" | tee -a "$out/layouts.txt"
  done
  python3 benchmarks/peers/torch_peers.py --device cuda --only cnn --seconds 4 --warmup 3 2>&1 | grep -v '^#' | tee -a "$out/layouts.txt"
fi
if [[ $what == *wgrad* ]]; then
  ll=$conv_layers
  declare -A wv=([base]="" [s32]="-Djasg.vulkan.conv.maxSplits=32"
    [sliced]="-Djasg.vulkan.conv.wgradMinGroups=256 -Djasg.vulkan.conv.maxSplits=32"
    [bk8]="-Djasg.vulkan.conv.wgradBk=8" [bk16]="-Djasg.vulkan.conv.wgradBk=16")
  timeout 60 bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench cnn-32-64-14 >/dev/null 2>&1
  for r in $(seq "${WGRAD_ROUNDS:-2}"); do
    for v in ${WGRAD_VARIANTS:-base s32 sliced bk8 bk16}; do
      JAVA_TOOL_OPTIONS="${wv[$v]}" timeout 100 bash .gpu/run.sh main dev.jasg.bench.gpu.ConvBench $ll 2>&1 | grep '^conv.* dw' \
        | sed "s/^/$v /" | tee -a "$out/wgrad.txt"
    done
  done
  for v in ${WGRAD_VARIANTS:-base s32 sliced bk8 bk16}; do
    JAVA_TOOL_OPTIONS="${wv[$v]}" timeout 60 bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only cnn --seconds 4 --warmup 3 2>&1 \
      | grep -E '^jasg_cnn ' | sed "s/^/$v /" | tee -a "$out/wgrad.txt"
  done
fi
if [[ $what == *mixed* ]]; then
  tiles=${COOP_TILES:+-Djasg.vulkan.coopmat.tiles=$COOP_TILES}
  for dt in f16 bf16; do
    JAVA_TOOL_OPTIONS="${tiles:-}" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 --dtype $dt 2>&1 | grep -v '^\[main\] INFO' \
      | tee "$out/matmul-vulkan-$dt.txt"
    python3 benchmarks/gpu/torch_matmul.py --dtype $dt 4096 2>&1 | tee "$out/matmul-cublas-$dt.txt"
  done
  for mp in "" "--mixed bf16" "--mixed f16"; do
    JAVA_TOOL_OPTIONS="${tiles:-}" bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only ${WORKLOAD:-transformer} $mp --seconds 5 --warmup 5 2>&1 \
      | grep -v '^\[main\] INFO' | tee -a "$out/mixed-peers.txt"
  done
  for ac in "" "--autocast bf16" "--autocast f16"; do
    python3 benchmarks/peers/torch_peers.py --device cuda --only ${WORKLOAD:-transformer} $ac 2>&1 | tee -a "$out/mixed-torch.txt"
  done
fi
if [[ $what == *sweep* ]]; then
  # the tensor-core kernel's operand paths (packed 16-bit through 2 or 1 shared stages, or f32 words) and tiles, then the
  # f32 kernel's large tile (MM_TILES), all at 4096^3, beside cuBLAS
  for v in "true 2" "true 1" "false 1"; do
    set -- $v
    for t in ${COOP_SWEEP:-256x128x32/64x64 128x128x32/64x32 128x256x32/64x64}; do
      JAVA_TOOL_OPTIONS="-Djasg.vulkan.coopmat.packed=$1 -Djasg.vulkan.coopmat.stages=$2 -Djasg.vulkan.coopmat.tiles=$t" \
        bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 --dtype ${SWEEP_DTYPE:-bf16} 2>&1 | grep '^matmul' \
        | sed "s|^|packed=$1 stages=$2 tile=$t |" | tee -a "$out/sweep.txt"
    done
  done
  for t in ${MM_TILES:-128x128x16 128x128x32 256x128x16 128x256x16}; do
    JAVA_TOOL_OPTIONS="-Djasg.vulkan.matmul.tiles=$t" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 2>&1 | grep '^matmul' \
      | sed "s|^|f32 tile=$t |" | tee -a "$out/sweep.txt"
  done
  for dt in f16 bf16; do python3 benchmarks/gpu/torch_matmul.py --dtype $dt 4096 2>&1 | tee -a "$out/sweep.txt"; done
  python3 benchmarks/gpu/torch_matmul.py 4096 2>&1 | tee -a "$out/sweep.txt"
fi
if [[ " $what " == *" coldstart "* ]]; then
  # the host CPU's cold start (dev.jasg.bench.ColdStart: the transformer's first training step in a fresh JVM, timed from
  # just before java runs), 2 cores pinned, COLD_RUNS rounds of the variants interleaved (COLD_VARIANTS, default "plain cds
  # aot"): plain, tiletwins (-Djasg.cpu.twinBlocks=false), cds (a dynamic CDS archive) and aot (a JDK AOT cache), each
  # archive made first by one training run
  cpu_info
  # the benchmark classes as a jar: an AOT cache takes jars only on its class path (a directory fails its creation)
  (cd "$h/test-classes" && python3 -m zipfile -c /tmp/bench-classes.jar *)
  jopts=(--add-modules jdk.incubator.vector -cp "/tmp/bench-classes.jar:$h/lib/*")
  aotf=/tmp/coldstart.aot jsaf=/tmp/coldstart.jsa
  # a dynamic archive sits on the JDK's base archive, which the bundled runtime (a jlink image) lacks: make it, as a JDK ships it
  [ -n "$(ls /tmp/jre/lib/server/*.jsa 2>/dev/null)" ] || /tmp/jre/bin/java -Xshare:dump > "$out/coldstart-base-archive.log" 2>&1 || true
  # each archive made by one training run with -XX:OPTION=FILE (a variant whose archive is missing is left out)
  for a in "aot AOTCacheOutput $aotf" "cds ArchiveClassesAtExit $jsaf"; do
    read -r name option file <<< "$a"
    rm -f "$file"
    # the logs go into one file each way: the device gives back at most 8 files ($OUT/coldstart.txt and cpu.txt among them)
    taskset -c 0,1 /tmp/jre/bin/java "-XX:$option=$file" "${jopts[@]}" dev.jasg.bench.ColdStart --steps 20 > /tmp/coldstart-training.log 2>&1
    { echo "== $name archive's training run"; cat /tmp/coldstart-training.log; } >> "$out/coldstart-training.log"
    [ -f "$file" ] || { echo "no $name archive:" | tee -a "$out/coldstart.txt"; tail -5 /tmp/coldstart-training.log; }
  done
  for r in $(seq 1 "${COLD_RUNS:-5}"); do
    for v in ${COLD_VARIANTS:-plain cds aot}; do
      case $v in
        plain) f=() ;;
        tiletwins) f=(-Djasg.cpu.twinBlocks=false) ;;
        cds) [ -f $jsaf ] || continue; f=(-XX:SharedArchiveFile=$jsaf -Xlog:cds=off -Xlog:aot=off) ;;
        aot) [ -f $aotf ] || continue; f=(-XX:AOTCache=$aotf) ;;
        *) echo "unknown cold-start variant $v"; continue ;;
      esac
      taskset -c 0,1 /tmp/jre/bin/java "${f[@]}" "${jopts[@]}" -Djasg.coldstart.launchMillis=$(date +%s%3N) dev.jasg.bench.ColdStart --steps 3 \
        > /tmp/coldstart-run.log 2>&1
      { echo "== round $r $v"; cat /tmp/coldstart-run.log; } >> "$out/coldstart-runs.log"
      grep -E '^coldstart|^# to main' /tmp/coldstart-run.log | sed "s|^|round $r $v |" | tee -a "$out/coldstart.txt" \
        || tail -5 /tmp/coldstart-run.log
    done
  done
fi
if [[ " $what " == *" peak "* ]]; then
  # the tensor-core product's ceilings (CoopMatMulKernel.PEAK_PROPERTY: parts of the kernel taken out, results wrong) at
  # 4096^3 in PEAK_DTYPE (bf16), for each PEAK_CFGS entry PEAK:TILE (0 is the real kernel), with the driver's register
  # counts, then cuBLAS in the same dtype
  for cfg in ${PEAK_CFGS:-0:128x128x64/64x32 1:128x128x64/64x32 2:128x128x64/64x32 3:128x128x64/64x32 4:128x128x64/64x32}; do
    JAVA_TOOL_OPTIONS="-Djasg.vulkan.kernelStatistics=true -Djasg.vulkan.coopmat.peak=${cfg%%:*} -Djasg.vulkan.coopmat.tiles=${cfg#*:}" \
      bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 --dtype ${PEAK_DTYPE:-bf16} 2>&1 | grep -E '^matmul|^kernel matmul_coop|Exception' \
      | sed "s|^|peak=${cfg%%:*} tile=${cfg#*:} |" | tee -a "$out/peak.txt"
  done
  python3 benchmarks/gpu/torch_matmul.py --dtype ${PEAK_DTYPE:-bf16} 4096 2>&1 | tee -a "$out/peak.txt"
fi
if [[ " $what " == *" wg "* ]]; then
  bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 256 --dtype f16 2>&1 | grep -m1 -o 'cooperative matrices.*' | tee "$out/wg.txt"
  for dt in ${WG_DTYPES:-f16 bf16}; do
    bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 --dtype $dt 2>&1 | grep '^matmul' \
      | sed "s|^|subgroup-scope |" | tee -a "$out/wg.txt"
    for t in ${WG_SWEEP:-128x128x32 128x256x32 256x128x32 128x128x64 64x64x32}; do
      for u in ${WG_UNROLL:-4}; do
        JAVA_TOOL_OPTIONS="-Djasg.vulkan.coopmat2=first -Djasg.vulkan.coopmat2.tiles=$t -Djasg.vulkan.coopmat2.unroll=$u ${WG_OPTS:-}" \
          bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 --dtype $dt 2>&1 | grep '^matmul\|Exception\|rror' \
          | sed "s|^|workgroup tile=$t unroll=$u ${WG_OPTS:-}|" | tee -a "$out/wg.txt"
      done
    done
    python3 benchmarks/gpu/torch_matmul.py --dtype $dt 4096 2>&1 | tee -a "$out/wg.txt"
  done
fi
if [[ $what == *f32* ]]; then
  for t in ${F32_TILES:-128x256x8 256x128x8 128x128x16}; do
    JAVA_TOOL_OPTIONS="-Djasg.vulkan.matmul.tiles=$t" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 2>&1 \
      | grep '^matmul\|Exception\|rror' | sed "s|^|f32 tile=$t |" | tee -a "$out/f32.txt"
  done
  python3 benchmarks/gpu/torch_matmul.py 4096 2>&1 | tee -a "$out/f32.txt"
fi
if [[ $what == *raster* ]]; then
  # the f32 products' launch order in bands of RASTERS rows of tiles (-Djasg.vulkan.matmul.raster, 0: the plain order) at
  # 4096^3 and on the GPT-2-sized step's products (RASTER_PRODUCTS), interleaved RASTER_ROUNDS times, then cuBLAS at 4096^3
  prods=""
  for p in ${RASTER_PRODUCTS:-8192,768,3072,0,1 8192,3072,768,0,1 8192,768,768,0,1 8192,3072,768,0,0 3072,8192,768,1,0 768,8192,768,1,0}; do
    prods="$prods --product $p"
  done
  for r in $(seq 1 "${RASTER_ROUNDS:-2}"); do
    for band in ${RASTERS:-0 4 8 16}; do
      JAVA_TOOL_OPTIONS="-Djasg.vulkan.matmul.raster=$band" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench 4096 4096 2>&1 \
        | grep '^matmul\|Exception\|rror' | sed "s|^|round $r raster=$band |" | tee -a "$out/raster.txt"
      JAVA_TOOL_OPTIONS="-Djasg.vulkan.matmul.raster=$band" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench --passes 2 $prods 2>&1 \
        | grep '^product\|Exception\|rror' | sed "s|^|round $r raster=$band |" | tee -a "$out/raster.txt"
    done
  done
  python3 benchmarks/gpu/torch_matmul.py 4096 2>&1 | tee -a "$out/raster.txt"
fi
if [[ $what == *schedule* ]]; then
  prods=""
  for p in ${SCHEDULE_PRODUCTS:-3072,8192,768,1,0 768,8192,3072,1,0 768,8192,768,1,0 8192,3072,768,0,0 8192,768,768,0,0 8192,768,3072,0,1,bias+gelu}; do
    prods="$prods --product $p"
  done
  for dt in ${SCHEDULE_DTYPES:-f32 bf16}; do
    for sch in auto nosplit ${SCHEDULES:-0/1 0/2 0/4 0/8 0/16 1/1 1/4 1/16 2/1}; do
      case $sch in auto) o="" ;; nosplit) o="-Djasg.vulkan.matmul.splitK=false" ;; *) o="-Djasg.vulkan.matmul.schedule=$sch" ;; esac
      [ "$dt" = bf16 ] && [ "${sch#*/}" != "$sch" ] && continue   # the forced schedules are the f32 kernel's
      JAVA_TOOL_OPTIONS="$o" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench --passes "${PRODUCT_PASSES:-2}" $prods --dtype $dt 2>&1 | grep '^product\|Exception\|rror' \
        | sed "s|^|$dt $sch |" | tee -a "$out/schedule.txt"
    done
  done
fi
if [[ $what == *gpt* ]]; then
  # the GPT-2-small-sized stack (Peers --only gpt) in f32 and with bf16 mixed precision, beside PyTorch eager with and
  # without bf16 autocast (GPT_SIZE: LAYERS,D,HEADS,FF,BATCH,SEQ to shrink it)
  gs=${GPT_SIZE:+-Djasg.bench.gpt=$GPT_SIZE}
  IFS=, read -r -a modes <<< "${GPT_MODES:-f32,--mixed bf16}"   # comma-separated; f32 is no flag
  for mp in "${modes[@]}"; do
    [ "$mp" = f32 ] && mp=""
    JAVA_TOOL_OPTIONS="${gs:-} ${GPT_OPTS:-}" bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only gpt $mp --seconds "${SECONDS_EACH:-5}" --warmup 3 2>&1 \
      | grep -v '^\[main\] INFO' | tee -a "$out/gpt-jasg.txt"
  done
  for ac in "" "--autocast bf16"; do
    python3 benchmarks/peers/torch_peers.py --device cuda --only gpt ${GPT_SIZE:+--gpt $GPT_SIZE} $ac --seconds "${SECONDS_EACH:-5}" --warmup 3 2>&1 \
      | tee -a "$out/gpt-torch.txt"
  done
fi
if [[ $what == *ab* ]]; then
  for r in $(seq 1 "${AB_ROUNDS:-2}"); do
    for opts in "" "${AB_OPTS:?ab needs AB_OPTS}"; do
      for w in ${AB_WORKLOADS:-gpt}; do
        JAVA_TOOL_OPTIONS="$opts" bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only "$w" ${AB_ARGS:-} --seconds "${SECONDS_EACH:-5}" --warmup 3 2>&1 \
          | grep -E '^jasg_[a-z]+ ' | sed "s|^|round $r [${opts:-default}] |" | tee -a "$out/ab.txt"
      done
    done
  done
fi
if [[ $what == *feeds* ]]; then
  timeout 120 bash .gpu/run.sh main dev.jasg.gpu.FeedProbe 2>&1 | grep -E '^#|^feed|rror' | tee -a "$out/feeds.txt"
  IFS='|' read -r -a fopts <<< "${FEED_OPTS:-default|-Djasg.vulkan.feedThreads=1}"
  for r in $(seq 1 "${FEED_ROUNDS:-2}"); do
    for o in "${fopts[@]}"; do
      [ "$o" = default ] && o=""
      JAVA_TOOL_OPTIONS="$o" timeout 150 bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only gpt --seconds "${SECONDS_EACH:-6}" --warmup 3 2>&1 \
        | grep -E '^jasg_gpt |own_threads|Exception' | sed "s|^|round $r [${o:-default}] |" | tee -a "$out/feeds.txt"
    done
  done
  python3 benchmarks/peers/torch_peers.py --device cuda --only gpt --seconds "${SECONDS_EACH:-6}" --warmup 3 2>&1 | tee -a "$out/feeds.txt"
fi
if [[ $what == *profile* ]]; then
  # one profiled step of the gpt stack (fused plan, per op kind, then PROFILE_MATCH's nodes in order), then its f32 products
  # (GPT_PRODUCTS, MatmulBench --product specs) beside cuBLAS's (torch_products.py, TF32 off) in the same call
  JAVA_TOOL_OPTIONS="-Djasg.vulkan.profileFused=true ${GPT_OPTS:-}" bash .gpu/run.sh main dev.jasg.bench.Peers --gpu --only gpt --profile \
    --profile-match "${PROFILE_MATCH:-^(grad\.)?5[./]}" --seconds 1 --warmup 2 2>&1 | grep -v '^\[main\] INFO' | tee -a "$out/gpt-profile.txt"
  prods=""
  for p in ${GPT_PRODUCTS:-8192,768,2304,0,1,bias 8192,768,768,0,1,bias+res 8192,768,3072,0,1,bias+gelu 8192,3072,768,0,1,bias+res \
      8192,768,3072,0,0,gelugrad 8192,3072,768,0,0 8192,768,768,0,0 8192,2304,768,0,0 \
      2304,8192,768,1,0 768,8192,768,1,0 3072,8192,768,1,0 768,8192,3072,1,0}; do
    prods="$prods --product $p"
  done
  JAVA_TOOL_OPTIONS="${GPT_OPTS:-}" bash .gpu/run.sh main dev.jasg.bench.gpu.MatmulBench --passes "${PRODUCT_PASSES:-2}" $prods 2>&1 | grep '^product\|Exception\|rror' \
    | tee -a "$out/gpt-products.txt"
  python3 benchmarks/gpu/torch_products.py ${prods//--product /} 2>&1 | tee -a "$out/gpt-products.txt"
  # PyTorch's own step, by kernel (torch.profiler, 3 steps after the timed ones), for the same breakdown
  python3 benchmarks/peers/torch_peers.py --device cuda --only gpt --seconds 2 --warmup 3 --profile 2>&1 | tee "$out/gpt-torch-profile.txt" \
    | grep -E '^torch_gpt |Self CUDA time total|Self device time total'
fi
if [[ " $what " == *" cpu "* ]]; then
  cpu_info
  [ "${PROBE_ROUNDS:-8}" = 0 ] || taskset -c 0,1 bash .gpu/run.sh main dev.jasg.cpu.GemmProbe --rounds "${PROBE_ROUNDS:-8}" 2>&1 \
    | grep -v '^\[main\] INFO' | tee "$out/gemm-probe.txt"
  for r in $(seq 1 "${CPU_ROUNDS:-2}"); do
    taskset -c 0,1 bash .gpu/run.sh main dev.jasg.bench.Peers --only sgemm --only mlp --only cnn --only transformer --seconds 3 --warmup 6 2>&1 \
      | grep -v '^\[main\] INFO' | sed "s/^/round $r /" | tee -a "$out/cpu-peers.txt"
    for w in sgemm mlp cnn transformer; do
      OMP_WAIT_POLICY=PASSIVE taskset -c 0,1 python3 benchmarks/peers/torch_peers.py --threads 2 --only $w --seconds 3 --warmup 4 2>&1 \
        | sed "s/^/round $r /" | tee -a "$out/cpu-peers.txt"
    done
  done
  if [ "${CPU_PROFILE:-0}" = 1 ]; then
    JAVA_TOOL_OPTIONS="-Djasg.cpu.profile=cpu -Djasg.cpu.profileTop=12" taskset -c 0,1 bash .gpu/run.sh main dev.jasg.bench.Peers \
      --only cnn --only transformer --seconds 3 --warmup 6 2>&1 | tee "$out/cpu-profile.txt" | grep -v '^\[main\] INFO' | tail -5
  fi
fi
if [[ $what == *knobs* ]]; then
  # one machine's alternatives to KernelChoice's rules (tile height, slice depth, vector width), same call, interleaved
  cpu_info
  IFS='|' read -ra knobs <<< "${KNOB_OPTS:-default|-Djasg.cpu.kc=512}"
  probe=${KNOB_PROBE:-kernel 12x32 kc 1024,kernel 4x32 kc 1024,thread 1024,pool 1024}
  for r in $(seq 1 "${KNOB_ROUNDS:-2}"); do
    for o in "${knobs[@]}"; do
      [ "$o" = default ] && o=""
      if [ "$probe" != none ]; then
        JAVA_TOOL_OPTIONS="$o" taskset -c 0,1 bash .gpu/run.sh main dev.jasg.cpu.GemmProbe --rounds "${PROBE_ROUNDS:-8}" \
          --only "$probe" 2>&1 \
          | grep -E '^(kernel|1 thread|pool|# kernels)' | sed "s|^|round $r [${o:-default}] |" | tee -a "$out/knobs.txt"
      fi
      JAVA_TOOL_OPTIONS="$o" taskset -c 0,1 bash .gpu/run.sh main dev.jasg.bench.Peers --only sgemm --only transformer --seconds 3 --warmup 6 2>&1 \
        | grep -E '^jasg_(sgemm|transformer) ' | sed "s|^|round $r [${o:-default}] |" | tee -a "$out/knobs.txt"
    done
  done
fi
if [[ $what == *inference* ]]; then
  # the host CPU's inference beside ONNX Runtime Java (benchmarks/peers/inference.sh's InferencePeers: resnet18 b1/b32,
  # GPT-2 small b1/b8, one JVM, interleaved rounds), 2 cores pinned, 2 threads each
  cpu_info
  JAVA_TOOL_OPTIONS="-XX:ActiveProcessorCount=2 -Xmx6g" taskset -c 0,1 bash .gpu/run.sh main dev.jasg.bench.InferencePeers --threads 2 \
    --rounds "${INFERENCE_ROUNDS:-3}" ${INFERENCE_ARGS:-} 2>&1 | grep -v '^\[main\] INFO' | tee "$out/inference.txt"
fi
if [[ $what == *cpudiag* ]]; then
  # why the transformer still allocated megabytes a step ~30 s into a JVM on a slow Xeon host (C2 not done): which
  # methods C2 compiles when, and the kernels' hand-over log, with the allocation per step after 20 s of warm-up
  cpu_info
  JAVA_TOOL_OPTIONS="-XX:+PrintCompilation -Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider -Dorg.slf4j.simpleLogger.log.dev.jasg.cpu=debug \
    -Dorg.slf4j.simpleLogger.showDateTime=true" taskset -c 0,1 bash .gpu/run.sh main dev.jasg.bench.Peers --only transformer \
    --seconds 5 --warmup 20 > "$out/cpu-diag.txt" 2>&1
  grep -E '^jasg_transformer|hand over|runs compiled' "$out/cpu-diag.txt" | tail -20
  grep -cE 'VectorGemmKernel::tile|VectorArith::' "$out/cpu-diag.txt"
fi
if [[ $what == *tests* ]]; then
  # The JUnit console launcher does not expand lib/* in --class-path, so pass the class path to java itself.
  cp="$h/test-classes:$(ls "$h"/lib/*.jar | tr '\n' ':')"
  for tag in ${TAGS:-gpu opencl}; do
    JASG_REQUIRE_GPU=1 JASG_REQUIRE_OPENCL=1 /tmp/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      --sun-misc-unsafe-memory-access=allow -Dorg.lwjgl.system.stackSize=1024 -XX:ErrorFile="$out/hs_err_%p.log" \
      -jar "$(ls "$h"/tools/junit-platform-console-standalone-*.jar | head -1)" execute \
      --class-path "$cp" ${TESTS_SELECT:---scan-class-path "$h/test-classes"} --include-tag "$tag" \
      --details=${DETAILS:-tree} --disable-banner > "$out/$tag-tests.txt" 2>&1
    echo "junit ($tag) exit code $?"
    grep -E "tests (found|successful|failed|aborted)|containers failed" "$out/$tag-tests.txt"
    grep -B2 -A12 "Failures (" "$out/$tag-tests.txt" | head -60
  done
  # a JVM that died in a driver leaves no summary: name the frame ($tag-tests.txt's tree, written as the tests run, shows
  # the last test started, and what passed before a call's time limit cut the run short)
  for f in "$out"/hs_err_*.log; do
    if [ -e "$f" ]; then echo "JVM crash: $f"; grep -m1 -A1 "Problematic frame" "$f"; grep -m8 -E "^[jJCV] +" "$f"; fi
  done
fi
