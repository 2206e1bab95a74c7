#!/usr/bin/env bash
# Builds every package under packaging/debian/ into OUT_DIR with dpkg-deb --root-owner-group.
# usage: packaging/build_debs.sh --version VERSION --vendor-pubkey FILE.pub --out OUT_DIR
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version="" pubkey="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --version) version=$2; shift 2 ;;
        --vendor-pubkey) pubkey=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "build_debs: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if [ -z "$version" ] || [ -z "$out" ]; then echo "build_debs: --version and --out are required" >&2; exit 2; fi
[ -f "$pubkey" ] || { echo "build_debs: --vendor-pubkey FILE is required (a PEM ed25519 public key)" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# The key id (first 16 hex of the SHA-256 of the raw key) names the file, as licensing expects.
key_id=$(openssl pkey -pubin -in "$pubkey" -outform DER | tail -c 32 | sha256sum | cut -c1-16)

add_docs() {  # package root, package name
    local doc="$1/usr/share/doc/$2"
    mkdir -p "$doc"
    cp "$repo/packaging/debian/copyright" "$doc/copyright"
    printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- Uzor developers <dev@uzor.invalid>  %s\n' \
        "$2" "$version" "$version" "$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct)}")" \
        | gzip -9n >"$doc/changelog.gz"
}

add_payload() {  # package root, package name: content generated at build time
    case "$2" in
        uzor-common)
            "$repo/packaging/wheelhouse.sh" "$1/usr/share/uzor/wheelhouse"
            install -D -m 0644 "$pubkey" "$1/usr/share/uzor/keys/$key_id.pub"
            ;;
        uzor-webagent)
            # the browser app as `make webagent` built it (installer/build_run.sh runs it first)
            local dist="$repo/appliance/webagent/dist"
            [ -f "$dist/index.html" ] || { echo "build_debs: $dist/index.html is missing: run make webagent" >&2; exit 2; }
            mkdir -p "$1/usr/share/uzor/webagent"
            cp -R "$dist/." "$1/usr/share/uzor/webagent/"
            find "$1/usr/share/uzor/webagent" -type f -exec chmod 0644 {} +
            ;;
        uzor-pbx)
            # One file, standard library only (it runs on a unit that has nothing but python3):
            # appliance/pbx/confgen.py with the bundle format the admin uses inlined.
            python3 -I "$repo/appliance/pbx/build.py" "$1/usr/bin/uzor-confgen"
            ;;
    esac
}

build_one() {
    local source=$1 name root
    name=$(basename "$source")
    root="$stage/$name"
    cp -a "$source" "$root"
    sed -i "s/@VERSION@/$version/g" "$root/DEBIAN/control"
    add_docs "$root" "$name"
    add_payload "$root" "$name"
    find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 -r md5sum >DEBIAN/md5sums)
    chmod 0644 "$root/DEBIAN/md5sums"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)" >>"$root/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/${name}_${version}_$(sed -n 's/^Architecture: //p' "$root/DEBIAN/control").deb" >/dev/null
}

for source in "$repo"/packaging/debian/*/; do
    [ -f "$source/DEBIAN/control" ] && build_one "${source%/}"
done
ls -1 "$out"/*.deb
