#!/usr/bin/env bash
# Installs every Debian 12 package Distillery needs to build, test and run. Safe to run again:
# apt-get skips what is already there, and the package-list refresh is skipped when fresh.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config zlib1g-dev nlohmann-json3-dev
  # engine; Gloo's headers for LibTorch's c10d process group (runs across processes)
  libtorch-dev libopenblas0-pthread libgloo-dev
  # GUI
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqcustomplot-dev
  # images
  libopencv-dev
  # the embedded default data set
  dataset-fashion-mnist
  # PyTorch-Python references and interop tests
  python3-torch python3-numpy
  # GUI tests and screenshots without a display; the German locale the tests run the workbench in
  xvfb xauth locales
  # fuzzing the file readers (scripts/fuzz.sh): clang with libFuzzer and AddressSanitizer
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] || missing+=("$p")
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A German desktop's locale (decimal comma): the workbench tests run under it (tst_workbench_de).
# (grep reads the whole list: grep -q leaving early could kill locale with SIGPIPE under pipefail)
if ! locale -a 2>/dev/null | grep -i '^de_DE\.utf-\?8$' >/dev/null; then
  echo "setup: generating the de_DE.UTF-8 locale"
  $SUDO sed -i 's/^# *\(de_DE\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
