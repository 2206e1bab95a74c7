#!/usr/bin/env bash
# Fills OUT_DIR with the uzor wheel and every runtime dependency as wheels for CPython 3.11,
# 3.12 and 3.13 on x86_64 Linux (Debian 12, Ubuntu 24.04, Debian 13). The third-party wheels
# are cached under /var/cache/uzor/ keyed on the pins; the uzor wheel is built every time from
# the checkout's tracked and new (not ignored) files (packaging/build_wheel.sh).
# usage: packaging/wheelhouse.sh OUT_DIR
set -euo pipefail

out=${1:?usage: wheelhouse.sh OUT_DIR}
repo=$(cd "$(dirname "$0")/.." && pwd)
pip=("${PIP:-$repo/.venv/bin/pip}")
cache_root=${UZOR_CACHE:-/var/cache/uzor}
python_versions=(3.11 3.12 3.13)
platforms=(manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_28_x86_64 manylinux_2_12_x86_64
           manylinux2010_x86_64 manylinux_2_5_x86_64 manylinux1_x86_64)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# 1. The uzor wheel, from a clean copy of the checkout, without test-only code.
mkdir -p "$stage/dist"
uzor_wheel=$(PIP="${pip[*]}" "$repo/packaging/build_wheel.sh" "$stage/dist")

# 2. Third-party wheels for every supported Python, cached on the pins.
key=$( { cat "$repo/constraints.txt"; unzip -p "$uzor_wheel" '*.dist-info/METADATA' | grep '^Requires-Dist' | grep -v 'extra ==';
         echo "${python_versions[*]} ${platforms[*]} recipe-v1"; } | sha256sum | cut -c1-16)
cache="$cache_root/wheelhouse-$key"
mkdir -p "$cache_root"
exec 9>"$cache_root/wheelhouse.lock"
flock 9
if [ ! -f "$cache/.complete" ]; then
    rm -rf "$cache" && mkdir -p "$cache"
    platform_args=()
    for platform in "${platforms[@]}"; do platform_args+=(--platform "$platform"); done
    for version in "${python_versions[@]}"; do
        abi="cp${version/./}"
        echo "wheelhouse: downloading wheels for CPython $version"
        "${pip[@]}" download --quiet --only-binary=:all: --python-version "$version" \
            --implementation cp --abi "$abi" --abi abi3 --abi none "${platform_args[@]}" \
            --platform any -c "$repo/constraints.txt" -d "$cache" "$uzor_wheel" 2>"$stage/download.log" || {
            grep -v '^WARNING: Location' "$stage/download.log" >&2; exit 1; }
    done
    rm -f "$cache"/uzor-*.whl
    touch "$cache/.complete"
fi
flock -u 9

mkdir -p "$out"
find "$out" -maxdepth 1 -name '*.whl' -delete
cp "$cache"/*.whl "$uzor_wheel" "$out"/
echo "wheelhouse: $(find "$out" -name '*.whl' | wc -l) wheels, $(du -sh "$out" | cut -f1)"
