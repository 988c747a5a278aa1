#!/usr/bin/env bash
# The same sources on Debian 13 (LibTorch 2.6, Qt 6.8, OpenCV 4.10), and the Debian package on
# Debian 12 and 13, in chroots of our own (never in this machine's apt sources):
#   1. Debian 13, CPU LibTorch: the whole project, workbench included, and the full test suite.
#   2. Debian 13, libtorch-cuda-dev 2.6 (CUDA 12.4): the whole project again (benchmarks aside) with
#      every CUDA code path compiled and linked (DISTILLERY_HAVE_CUDA), and the full test suite run
#      with it on the CPU: without a GPU it must say "CUDA not available" and refuse --device cuda
#      with a clear message.
#   3. The .deb (CPack) of this machine's Debian 12 build (build/, from scripts/test.sh) and of the
#      Debian 13 build, each installed with apt into a fresh copy of a pristine root of its release,
#      then `distillery-cli info`, a two-iteration `distill` and the workbench (offscreen) run from
#      the installed files.
# The roots and every downloaded package are kept under $DISTILLERY_CACHE (default
# /var/cache/distillery), so a second run downloads nothing. Needs root (debootstrap, chroot, mount).
#
# Usage: bash scripts/check-debian13.sh [--ci]
#   --ci: only part 2, which is what CI runs after the Debian 12 tests. Its one LibTorch 2.6 build
#   (the CUDA one, which runs on a CPU as well) serves the full suite on Debian 13 and the CUDA
#   build alike, so a fresh machine spends one build on it instead of two.
# Environment: DISTILLERY_CACHE, DEBIAN_MIRROR (default http://deb.debian.org/debian),
#   DISTILLERY_HOST_BUILD_DIR (this machine's Debian 12 build folder, packaged for Debian 12;
#   default build/), DISTILLERY_HOST_BUILD (the command that brings it up to date first; default
#   `bash scripts/build.sh`, which builds build/).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
cache=${DISTILLERY_CACHE:-/var/cache/distillery}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
host_build=${DISTILLERY_HOST_BUILD:-bash scripts/build.sh}
host_build_dir=${DISTILLERY_HOST_BUILD_DIR:-$src/build}
jobs=$(nproc)
ci=0
case "${1:-}" in
    --ci) ci=1 ;;
    "") ;;
    *) echo "check-debian13: unknown argument '$1' (usage: check-debian13.sh [--ci])" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "check-debian13: needs root (debootstrap, chroot, mount)" >&2; exit 2; }

# ---------------------------------------------------------------- stage times, printed at the end
stage_times=()
failed_stages=()
started=$SECONDS
print_times() {
    [ ${#stage_times[@]} -gt 0 ] || return 0
    echo
    echo "check-debian13: stage times (min:s)"
    printf '  %s\n' "${stage_times[@]}"
    local t=$((SECONDS - started))
    printf '  %-58s %3d:%02d\n' "total" $((t / 60)) $((t % 60))
}
# A stage that fails is reported and the next ones still run, so that one run shows every problem.
# Each runs in a subshell of its own, where `set -e` stops it at its first failing command.
stage() {
    local name=$1 t0=$SECONDS verdict=""
    shift
    echo
    echo "=== check-debian13: $name"
    ("$@") &
    if ! wait $!; then
        verdict="  FAILED"
        failed_stages+=("$name")
    fi
    local t=$((SECONDS - t0))
    stage_times+=("$(printf '%-58s %3d:%02d%s' "$name" $((t / 60)) $((t % 60)) "$verdict")")
    echo "=== check-debian13: $name${verdict:- done} in ${t}s"
}

# ---------------------------------------------------------------- mounts, always undone
mounts=()
unmount_all() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || echo "check-debian13: could not unmount ${mounts[i]}" >&2
    done
    mounts=()
}
# Mounts left by a run that was killed (SIGKILL skips traps) are undone before anything else.
unmount_stale() {
    local m
    for m in $(findmnt -rn -o TARGET | grep "^$cache/roots/" | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}
on_exit() {
    local rc=$?
    unmount_all
    unmount_stale  # those of commands that ran in a subshell (a pipeline)
    print_times
    [ $rc -eq 0 ] && echo "check-debian13: passed" || echo "check-debian13: FAILED (exit $rc)"
    exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Runs a command inside a root, with /proc, /sys, /dev and the release's shared package cache
# mounted for that command only.
in_root() {
    local root=$1 suite
    shift
    suite=$(cat "$root/etc/distillery-suite")
    mkdir -p "$cache/apt/$suite/partial"
    mount -t proc proc "$root/proc" && mounts+=("$root/proc")
    mount -t sysfs sysfs "$root/sys" && mounts+=("$root/sys")
    mount --bind /dev "$root/dev" && mounts+=("$root/dev")
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounts+=("$root/dev/pts")
    mount -t tmpfs tmpfs "$root/dev/shm" && mounts+=("$root/dev/shm")
    mount --bind "$cache/apt/$suite" "$root/var/cache/apt/archives" && mounts+=("$root/var/cache/apt/archives")
    local rc=0
    chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" || rc=$?
    unmount_all
    return $rc
}

# ---------------------------------------------------------------- roots
# A pristine root per release: debootstrap's minimal system with the package lists fetched.
pristine_root() {
    local suite=$1 components=$2
    local root="$cache/roots/$suite-pristine"
    [ -f "$root/etc/distillery-suite" ] && return 0
    rm -rf "$root.tmp"
    mkdir -p "$cache/debootstrap"
    debootstrap --variant=minbase --components="$components" --cache-dir="$cache/debootstrap" \
        "$suite" "$root.tmp" "$mirror"
    echo "deb $mirror $suite ${components//,/ }" > "$root.tmp/etc/apt/sources.list"
    rm -f "$root.tmp"/var/cache/apt/archives/*.deb  # debootstrap's copies; in_root mounts the shared cache there
    echo "$suite" > "$root.tmp/etc/distillery-suite"
    cp /etc/resolv.conf "$root.tmp/etc/resolv.conf"
    in_root "$root.tmp" apt-get update -q
    mv "$root.tmp" "$root"
}

# A root with packages installed, made once from the pristine one; installs again (from the cache)
# only when the list changed. The package lists are refreshed only if apt cannot find a package.
provisioned_root() {
    local name=$1 suite=$2
    local root="$cache/roots/$name"
    shift 2
    local wanted="$*"
    if [ ! -f "$root/etc/distillery-packages" ]; then
        rm -rf "$root"
        cp -a "$cache/roots/$suite-pristine" "$root"
    fi
    [ "$(cat "$root/etc/distillery-packages" 2>/dev/null)" = "$wanted" ] && return 0
    in_root "$root" dpkg --configure -a  # what a killed run left half-installed
    in_root "$root" apt-get install -y -q --no-install-recommends "$@" ||
        { in_root "$root" apt-get update -q && in_root "$root" apt-get install -y -q --no-install-recommends "$@"; }
    echo "$wanted" > "$root/etc/distillery-packages"
}

# The German locale the workbench tests run under (tst_workbench_de).
german_locale() {
    local root=$1
    grep -q '^de_DE.UTF-8 UTF-8' "$root/etc/locale.gen" 2>/dev/null && return 0
    echo 'de_DE.UTF-8 UTF-8' >> "$root/etc/locale.gen"
    in_root "$root" locale-gen
}

# This checkout's files (tracked and untracked, not ignored) into ROOT/src. Only files whose content
# differs are replaced, and they get the time of the copy: a build folder in the root then rebuilds
# exactly what changed, whichever tree the last run copied (keeping the checkout's modification
# times would not: a file edited before the last run's copy was made looks older than its object).
copy_sources() {
    local root=$1 staged f
    staged=$(mktemp -d)
    git -C "$src" ls-files -z --cached --others --exclude-standard |
        tar -C "$src" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$staged" -xf -
    mkdir -p "$root/src"
    while IFS= read -r -d '' f; do
        cmp -s "$staged/$f" "$root/src/$f" && continue
        mkdir -p "$(dirname "$root/src/$f")"
        rm -f "$root/src/$f"
        cp --preserve=mode "$staged/$f" "$root/src/$f"
    done < <(cd "$staged" && find . -type f -print0)
    while IFS= read -r -d '' f; do
        [ -e "$staged/$f" ] || rm -f "$root/src/$f"
    done < <(cd "$root/src" && find . -type f -print0)
    rm -rf "$staged"
}

build_packages=(build-essential cmake ninja-build pkg-config zlib1g-dev nlohmann-json3-dev libopenblas0-pthread
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqcustomplot-dev
    dataset-fashion-mnist locales dpkg-dev file)

# ---------------------------------------------------------------- 1. Debian 13, CPU
cpu_root="$cache/roots/trixie-cpu"
make_cpu_root() {
    provisioned_root trixie-cpu trixie "${build_packages[@]}" libtorch-dev libgloo-dev libopencv-dev python3-torch \
        python3-numpy appstream
    german_locale "$cpu_root"
}
# CTest counts a skipped test as passed; like CI, a skip fails the check.
ctest_no_skips() {
    local build=$1
    shift
    in_root "$root_for_ctest" sh -c "cd $build && ctest --output-on-failure --timeout 900 $*"
    if grep -E '^SKIP' "$root_for_ctest$build/Testing/Temporary/LastTest.log"; then
        echo "check-debian13: tests were skipped (above), which the check does not accept" >&2
        return 1
    fi
}
build_cpu() {
    copy_sources "$cpu_root"
    [ -f "$cpu_root/build/build.ninja" ] ||
        in_root "$cpu_root" cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release
    # No warnings from our code: the log is searched for warnings in our sources. Ninja goes on
    # past a failed file (-k 0), so that one run shows every file that fails.
    in_root "$cpu_root" sh -c "nice -n 10 cmake --build /build --parallel $jobs -- -k 0 2>&1" | tee "$cache/trixie-cpu-build.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
    if grep -E '^/src/.*warning:' "$cache/trixie-cpu-build.log"; then
        echo "check-debian13: the Debian 13 build warns in our code (above)" >&2
        return 1
    fi
}
test_cpu() { root_for_ctest=$cpu_root ctest_no_skips /build; }

# ---------------------------------------------------------------- 2. Debian 13, CUDA
cuda_root="$cache/roots/trixie-cuda"
# Debian's nvidia-cudnn only downloads cuDNN from NVIDIA when it is configured, which fails
# without that network and leaves libtorch-cuda-2.6 unconfigured. Linking and loading LibTorch
# need only libcudnn.so.9's symbols, so a package of that name carries a stub library with them
# (taken from libtorch_cuda.so's undefined symbols) whose functions abort if ever called: without
# a GPU LibTorch never calls cuDNN. For linking, as NVIDIA's own stub libraries are.
cudnn_stub() {
    local root=$1
    [ -f "$root/etc/distillery-cudnn-stub" ] && return 0
    in_root "$root" sh -ec '
        apt-get install -y -q -d --no-install-recommends libtorch-cuda-2.6
        rm -rf /tmp/cudnn && mkdir -p /tmp/cudnn/lib /tmp/cudnn/pkg/DEBIAN /tmp/cudnn/pkg/usr/lib/x86_64-linux-gnu
        dpkg-deb -x /var/cache/apt/archives/libtorch-cuda-2.6_*.deb /tmp/cudnn/lib
        nm -D --undefined-only /tmp/cudnn/lib/usr/lib/x86_64-linux-gnu/*.so.* | awk "{print \$2}" |
            sed -n "s/^\(cudnn[A-Za-z0-9_]*\)@libcudnn.so.9$/\1/p" | sort -u > /tmp/cudnn/symbols
        {
            printf "%s\n" "#include <stdio.h>" "#include <stdlib.h>"
            printf "%s\n" "static void stub(const char* f) { fprintf(stderr, \"%s: stub cuDNN of the Distillery check, no GPU code may call it\\n\", f); abort(); }"
            while read -r s; do printf "%s\n" "void $s(void) { stub(\"$s\"); }"; done < /tmp/cudnn/symbols
        } > /tmp/cudnn/stub.c
        { echo "libcudnn.so.9 { global:"; sed "s/$/;/" /tmp/cudnn/symbols; echo "local: *; };"; } > /tmp/cudnn/stub.map
        gcc -shared -fPIC -o /tmp/cudnn/pkg/usr/lib/x86_64-linux-gnu/libcudnn.so.9 -Wl,-soname,libcudnn.so.9 \
            -Wl,--version-script=/tmp/cudnn/stub.map /tmp/cudnn/stub.c
        printf "%s\n" "Package: nvidia-cudnn" "Version: 9.0.0.312~cuda12+distillerystub" "Architecture: amd64" \
            "Maintainer: Distillery check <root@localhost>" \
            "Description: link-only stub of libcudnn.so.9 for building without a GPU" > /tmp/cudnn/pkg/DEBIAN/control
        dpkg-deb --root-owner-group --build /tmp/cudnn/pkg /tmp/cudnn/nvidia-cudnn-stub.deb
        dpkg -i /tmp/cudnn/nvidia-cudnn-stub.deb
        apt-mark hold nvidia-cudnn
        echo "$(wc -l < /tmp/cudnn/symbols) cuDNN symbols stubbed"
        rm -rf /tmp/cudnn'
    touch "$root/etc/distillery-cudnn-stub"
}
make_cuda_root() {
    # the compiler and tools first: the stub is compiled in the root
    [ -f "$cuda_root/etc/distillery-cudnn-stub" ] || provisioned_root trixie-cuda trixie "${build_packages[@]}"
    cudnn_stub "$cuda_root"
    # nvidia-cuda-toolkit: CUDA 12.4 with nvToolsExt, which Caffe2's CMake config asks for; Gloo's
    # and NCCL's headers for the processes of a distributed run; OpenCV for the workbench;
    # python3-torch-cuda (the same LibTorch) for the interop tests' PyTorch references.
    provisioned_root trixie-cuda trixie "${build_packages[@]}" libtorch-cuda-dev nvidia-cuda-toolkit libgloo-cuda-dev \
        libnccl-dev libopencv-dev python3-torch-cuda python3-numpy
    german_locale "$cuda_root"
}
build_cuda() {
    copy_sources "$cuda_root"
    # Everything, workbench included, but the benchmarks (the CPU build compiles those). Every
    # option given, so that a build folder configured otherwise before is set right.
    in_root "$cuda_root" sh -c "cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DDISTILLERY_WITH_QT=ON -DDISTILLERY_WITH_OPENCV=ON -DDISTILLERY_BENCH=OFF 2>&1" |
        tee "$cache/trixie-cuda-configure.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
    grep -q 'Distillery: CUDA memory statistics from' "$cache/trixie-cuda-configure.log" ||
        { echo "check-debian13: the CUDA build did not turn on DISTILLERY_HAVE_CUDA" >&2; return 1; }
    in_root "$cuda_root" sh -c "nice -n 10 cmake --build /build --parallel $jobs -- -k 0 2>&1" | tee "$cache/trixie-cuda-build.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
    if grep -E '^/src/.*warning:' "$cache/trixie-cuda-build.log"; then
        echo "check-debian13: the CUDA build warns in our code (above)" >&2
        return 1
    fi
    # libdistillery_core really calls into the CUDA caching allocator.
    in_root "$cuda_root" sh -c 'nm -D -C /build/app/distillery-cli | grep -q "CUDACachingAllocator"' ||
        { echo "check-debian13: distillery-cli does not reference the CUDA caching allocator" >&2; return 1; }
}
test_cuda() {
    local info
    info=$(in_root "$cuda_root" /build/app/distillery-cli info)
    echo "$info"
    grep -q 'LibTorch 2\.6' <<<"$info" && grep -q 'CUDA not available' <<<"$info" ||
        { echo "check-debian13: the CUDA build's info does not say LibTorch 2.6 without CUDA" >&2; return 1; }
    local out rc=0
    out=$(in_root "$cuda_root" /build/app/distillery-cli eval --device cuda --quiet 2>&1) || rc=$?
    echo "$out"
    [ $rc -eq 2 ] && grep -q "sees no CUDA GPU" <<<"$out" ||
        { echo "check-debian13: --device cuda without a GPU was not refused clearly (exit $rc)" >&2; return 1; }
    root_for_ctest=$cuda_root ctest_no_skips /build
    # the whole suite, workbench included
    # Read whole, not piped into grep -q: grep leaving early would kill ctest with SIGPIPE, and
    # under pipefail that reads as a missing suite.
    local listed
    listed=$(in_root "$cuda_root" sh -c 'cd /build && ctest -N')
    grep -q 'tst_workbench' <<<"$listed" ||
        { echo "check-debian13: the CUDA build has no workbench tests" >&2; return 1; }
}

# ---------------------------------------------------------------- 3. the package on 12 and 13
deb_dir="$cache/debs-built"
package_trixie() {
    rm -rf "$deb_dir/trixie" && mkdir -p "$deb_dir/trixie"
    in_root "$cpu_root" sh -c 'cd /build && rm -f distillery_*.deb && cpack -G DEB'
    cp "$cpu_root"/build/distillery_*.deb "$deb_dir/trixie/"
}
package_bookworm() {
    $host_build
    rm -rf "$deb_dir/bookworm" && mkdir -p "$deb_dir/bookworm"
    (cd "$host_build_dir" && rm -f distillery_*.deb && cpack -G DEB)
    cp "$host_build_dir"/distillery_*.deb "$deb_dir/bookworm/"
}
validate_metainfo() {
    local deb d
    for deb in "$deb_dir"/*/distillery_*.deb; do
        d=$(mktemp -d)
        dpkg-deb -x "$deb" "$d"
        appstreamcli validate --no-net "$d"/usr/share/metainfo/*.metainfo.xml
        desktop-file-validate "$d"/usr/share/applications/*.desktop
        rm -rf "$d"
    done
    # and with Debian 13's AppStream 1.0, which checks more. It warns that there is no homepage:
    # the project has none yet; give the metadata a <url type="homepage"> then, and drop the override.
    in_root "$cpu_root" sh -c 'appstreamcli validate --no-net --override=url-homepage-missing=info /src/packaging/*.metainfo.xml'
}
# A fresh copy of the pristine root, the package installed with apt (its declared dependencies
# and recommendations from the release), then the installed programs run as a person would.
install_and_run() {
    local suite=$1 root="$cache/roots/$1-install"
    rm -rf "$root"
    cp -a "$cache/roots/$suite-pristine" "$root"
    cp "$deb_dir/$suite"/distillery_*.deb "$root/tmp/"
    local rc=0
    in_root "$root" sh -ec '
        apt-get install -y -q /tmp/distillery_*.deb
        cd /tmp
        distillery-cli info
        tiny="--set train_per_class=20 --set net_width=8 --set net_depth=2 --set num_experts=1 --set train_epochs=2
              --set expert_epochs=1 --set max_start_epoch=1 --set syn_steps=2 --set num_eval=1 --set epoch_eval_train=2
              --set ipc=2 --set eval_it=0 --set lr_floor=0.001"
        distillery-cli distill --iterations 2 --quiet --experts /tmp/experts --out /tmp/run $tiny
        test -s /tmp/run/synthetic.dsyn
        QT_QPA_PLATFORM=offscreen distillery --no-settings --runs /tmp/runs --experts /tmp/experts $tiny \
            --start --screenshot-at 2 --screenshots /tmp/shots
        ls /tmp/shots
        test "$(ls /tmp/shots/*.png | wc -l)" -ge 1
        echo "installed package works"' || rc=$?
    rm -rf "$root"
    return $rc
}

host_tools() {
    local need=()
    for p in debootstrap appstream desktop-file-utils dpkg-dev file; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] || need+=("$p")
    done
    [ ${#need[@]} -eq 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; }
}

mkdir -p "$cache/roots"
exec 9>"$cache/lock"
flock 9
unmount_stale
stage "host tools (debootstrap, appstream)" host_tools
if [ $ci -eq 1 ]; then
    stage "pristine root: Debian 13 (debootstrap)" pristine_root trixie main,contrib,non-free
else
    stage "pristine roots: Debian 12 and 13 (debootstrap)" eval 'pristine_root trixie main,contrib,non-free && pristine_root bookworm main'
    stage "13 CPU: packages (LibTorch 2.6, Qt 6.8, OpenCV 4.10)" make_cpu_root
    stage "13 CPU: build everything" build_cpu
    stage "13 CPU: full test suite" test_cpu
fi
stage "13 CUDA: packages (libtorch-cuda-dev, CUDA 12.4, Qt, OpenCV)" make_cuda_root
stage "13 CUDA: build everything but the benchmarks" build_cuda
stage "13 CUDA: info, --device cuda refused, full suite on the CPU" test_cuda
if [ $ci -eq 0 ]; then
    stage "package: .deb for Debian 13 (CPack)" package_trixie
    stage "package: .deb for Debian 12 (CPack, build/)" package_bookworm
    stage "package: appstreamcli validate" validate_metainfo
    stage "package: install and run on Debian 13" install_and_run trixie
    stage "package: install and run on Debian 12" install_and_run bookworm
fi
if [ ${#failed_stages[@]} -gt 0 ]; then
    printf 'check-debian13: failed: %s\n' "${failed_stages[@]}" >&2
    exit 1
fi
