#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is needed, build, and run the default
# job on the embedded default data set (Fashion-MNIST, from Debian's dataset-fashion-mnist):
# train the quick preset's experts, then evaluate a random real subset (the baseline).
# Arguments go to `distillery-cli demo`, e.g. --preset paper-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
exec ./build/app/distillery-cli demo "$@"
