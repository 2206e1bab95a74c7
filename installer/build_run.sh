#!/usr/bin/env bash
# Builds dist/uzor_<version>.run: a makeself archive (SHA-256 integrity) holding every Uzor .deb,
# the bootstrap installer and MANIFEST.sha256 (sha256 of every file) with its detached ed25519
# signature made with the vendor's private key; plus dist/uzor_<version>.run.sig, the detached
# signature of the whole file (check it before running: uzor-license verify-file).
# usage: installer/build_run.sh --vendor-key VENDOR.key [--out DIR] [--version VERSION]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
vendor_key="" out="$repo/dist" version=""
while [ $# -gt 0 ]; do
    case "$1" in
        --vendor-key) vendor_key=${2:-}; shift 2 ;;
        --out) out=${2:-}; shift 2 ;;
        --version) version=${2:-}; shift 2 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "build_run: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -r "$vendor_key" ] || { echo "build_run: --vendor-key FILE is required: the vendor's ed25519 private key (PEM)" >&2; exit 2; }
openssl pkey -in "$vendor_key" -noout -text 2>/dev/null | grep -q '^ED25519 Private-Key' ||
    { echo "build_run: $vendor_key is not an ed25519 private key in PEM" >&2; exit 2; }
[ -n "$version" ] || version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$repo/pyproject.toml")

uzor_license=${UZOR_LICENSE_CLI:-$repo/.venv/bin/uzor-license}
[ -x "$uzor_license" ] || { echo "build_run: $uzor_license not found: run make venv" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
payload="$stage/uzor_$version"
mkdir -p "$payload/debs" "$payload/keys" "$out"

# The operators' browser app, built from the committed npm lock (uzor-webagent ships dist/).
make -C "$repo" --no-print-directory webagent >"$stage/webagent.log" 2>&1 || { cat "$stage/webagent.log" >&2; echo "build_run: make webagent failed" >&2; exit 1; }

# The public half signs nothing; it names the signer and ships in uzor-common as a trusted key.
openssl pkey -in "$vendor_key" -pubout -out "$payload/keys/vendor.pub"
"$repo/packaging/build_debs.sh" --version "$version" --vendor-pubkey "$payload/keys/vendor.pub" --out "$payload/debs" >/dev/null
install -m 0755 "$repo/installer/bootstrap.sh" "$payload/bootstrap.sh"
install -m 0644 "$repo/installer/lib.sh" "$repo/installer/verify.sh" "$payload/"
echo "$version" >"$payload/VERSION"

(cd "$payload" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum | sed 's#  #  ./#') >"$stage/MANIFEST.sha256"
mv "$stage/MANIFEST.sha256" "$payload/MANIFEST.sha256"
"$uzor_license" sign-file --key "$vendor_key" -o "$payload/MANIFEST.sha256.sig" "$payload/MANIFEST.sha256" >/dev/null

# makeself's own --check stops after the checksum; ours goes on to the signature and the
# fingerprint, so the header runs the bootstrap with --check instead of exiting.
python3 - /usr/share/makeself/makeself-header.sh "$stage/header.sh" <<'PY'
import sys
source, dest = sys.argv[1:]
text = open(source).read()
old = '    --check)\n\tMS_Check "\\$0" y\n\texit 0\n\t;;\n'
new = '    --check)\n\tshift; set -- -- --check "\\$@"\n\tcontinue\n\t;;\n'
if text.count(old) != 1:
    sys.exit("build_run: this makeself version's header has no --check branch to extend")
open(dest, "w").write(text.replace(old, new))
PY
cat >"$stage/help-header" <<EOF
Uzor $version installer. Install: sudo ./uzor_$version.run   Options for the installer go after --:
  sudo ./uzor_$version.run -- --help     (roles, answers file, --no-configure, --check, ...)
--check verifies the SHA-256 checksums and the vendor's signature and shows the key's fingerprint.
EOF

fingerprint=$(openssl pkey -pubin -in "$payload/keys/vendor.pub" -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)
run="$out/uzor_$version.run"
makeself --quiet --sha256 --nomd5 --nocrc --nocomp --header "$stage/header.sh" --help-header "$stage/help-header" \
    --tar-extra "--owner=0 --group=0 --numeric-owner" \
    "$payload" "$run" "Uzor $version" ./bootstrap.sh >"$stage/makeself.log" 2>&1 || { cat "$stage/makeself.log" >&2; exit 1; }
rm -f "$run.sig"
"$uzor_license" sign-file --key "$vendor_key" -o "$run.sig" "$run" >/dev/null
echo "built $run ($(du -h "$run" | cut -f1)) and $run.sig, signed by vendor key SHA-256 $fingerprint"
