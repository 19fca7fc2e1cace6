#!/bin/sh
# Full-size parity of VisionTransformer.vitB16() with torchvision's vit_b_16 (86.6M parameters,
# weights from a formula both sides compute, no download): logits of one 224x224 image in float64
# torch vs f32 JASG, max |difference| relative to the largest logit.
#   usage: asg-models/parity/vit_b_16_parity.sh [cpu|vulkan]   (from the repository root)
# Needs Debian's python3-torch and python3-torchvision; builds the modules it needs (no install).
set -e
BACKEND=${1:-cpu}
OUT=asg-models/target/parity
mkdir -p "$OUT"
/usr/bin/python3 asg-models/parity/vit_b_16_parity.py "$OUT/vit_b_16_torch.json"
mvn -q -pl asg-models -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" -Dmdep.includeScope=test
java --add-modules jdk.incubator.vector -Xmx8g -cp "asg-models/target/test-classes:asg-models/target/classes:$(cat "$OUT/cp.txt")" \
    dev.jasg.models.vision.VitB16Parity "$OUT/vit_b_16_torch.json" "$BACKEND"
