#!/bin/sh
# Full-size logits parity of the vision zoo with torchvision: resnet18, resnet50 and mobilenet_v2
# with 1000 classes on a 1x3x224x224 input, weights from the deterministic formula of
# make_vision_fixtures.py (nothing is downloaded), compared by VisionParityTest within 1e-4
# relative (max |jasg - torch| <= 1e-4 * max |torch|).
#
#   sh asg-models/parity/full_parity.sh [MODELS] [BACKEND]     # from the repository root
#   MODELS: comma-separated, default resnet18,resnet50,mobilenet_v2 (also resnet34, mobilenet_v2_w0.5)
#   BACKEND: cpu (default) or vulkan
#
# Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3) and JDK 21+.
# The fixture (about 1.5 MB) goes to asg-models/target/, never into the repository.
set -eu
models=${1:-resnet18,resnet50,mobilenet_v2}
backend=${2:-cpu}
here=$(cd "$(dirname "$0")/../.." && pwd)
out="$here/asg-models/target/full_vision_parity.json"
mkdir -p "$here/asg-models/target"
/usr/bin/python3 "$here/asg-models/src/test/resources/dev/jasg/models/vision/make_vision_fixtures.py" \
    --size 224 --batch 1 --num-classes 1000 --models "$models" --out "$out"
if [ "$backend" = vulkan ]; then groups="-Dgroups=gpu -DJASG_REQUIRE_GPU=1"; test=VisionParityTest#logitsMatchTorchvisionOnVulkan
else groups="-DexcludedGroups=gpu"; test=VisionParityTest#logitsMatchTorchvisionOnCpu; fi
cd "$here"
# shellcheck disable=SC2086
mvn -q -pl asg-models -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false $groups -Djasg.vision.fixture="$out"
echo "full-size parity passed on $backend: $models (report: asg-models/target/surefire-reports)"
