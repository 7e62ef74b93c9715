#!/bin/sh
# The vanishing-gradient article's numbers and plot: the same deep network (five hidden layers of 64)
# trained with sigmoid and with ReLU hidden units, logging each layer's mean |∂L/∂W| per epoch.
# Usage: scripts/vanishing-gradients.sh [OUTPUT_DIR]   (after `swift build -c release`)
set -eu
out=${1:-results/vanishing-gradients}
mkdir -p "$out"
for activation in sigmoid relu; do
    .build/release/backprop train --limit 5000 --hidden 64,64,64,64,64 --activation "$activation" \
        --optimizer sgd --learning-rate 0.01 --schedule constant --batch-size 50 --dropout 0 \
        --patience 0 --epochs 10 --seed 1 --log-gradients > "$out/$activation.txt"
    cat "$out/$activation.txt"
done
python3 scripts/plot-gradient-norms.py "$out/sigmoid.txt" "$out/relu.txt" \
    -o Sources/Backprop/Backprop.docc/Resources/vanishing-gradients.png
