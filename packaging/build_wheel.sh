#!/usr/bin/env bash
# Builds the uzor wheel into OUT_DIR from a clean copy of the checkout's tracked and new (not
# ignored) files, and refuses a wheel that carries test-only code: the test kit (testkit/), the
# tests (tests/, */tests/), pytest's conftest.py files or appliance/admin/testing.py.
# Prints the wheel's path. usage: packaging/build_wheel.sh OUT_DIR
set -euo pipefail

out=${1:?usage: build_wheel.sh OUT_DIR}
repo=$(cd "$(dirname "$0")/.." && pwd)
pip=("${PIP:-$repo/.venv/bin/pip}")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
(cd "$repo" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' file; do
    if [ -f "$file" ]; then cp --parents "$file" "$stage/"; fi   # skip tracked files deleted here
done)
mkdir -p "$out"
"${pip[@]}" wheel --quiet --no-deps --wheel-dir "$stage/dist" "$stage" 2>"$stage/wheel.log" || {
    cat "$stage/wheel.log" >&2; exit 1; }
wheel=$(ls "$stage"/dist/uzor-*.whl)

names=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$wheel")
test_only=$(printf '%s\n' "$names" | grep -E '^(testkit|tests)/|/tests/|(^|/)conftest\.py$|^appliance/admin/testing\.py$' || true)
if [ -n "$test_only" ]; then
    printf '%s\n' "$test_only" >&2
    echo "build_wheel: the uzor wheel would ship the test-only files above: exclude them in pyproject.toml" >&2
    exit 1
fi
cp "$wheel" "$out/"
echo "$out/$(basename "$wheel")"
