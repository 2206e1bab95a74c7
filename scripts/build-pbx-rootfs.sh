#!/usr/bin/env bash
# Builds, once, the Debian sid root filesystem with Asterisk 22 that tests and the demo run PBX
# units in (Asterisk is not packaged for Debian 12), and prints its path on stdout.
#
# The cache directory is keyed on this file's contents (the package list and the recipe), so an
# edit here makes a new root; an unchanged recipe reuses the cached one. The build runs in a
# temporary directory that is renamed into place when complete, under an flock, so several
# processes may ask for the root at once: one builds, the others wait and reuse it.
#
# Usage: scripts/build-pbx-rootfs.sh            (env UZOR_CACHE, default /var/cache/uzor)
set -euo pipefail

# python3: for programs a unit runs itself, e.g. `#exec` config generators (execincludes);
# openssl: uzor-pbx-setup makes the certificate of AMI over TLS.
packages=(asterisk asterisk-modules asterisk-core-sounds-en python3 openssl)

cache_dir=${UZOR_CACHE:-/var/cache/uzor}
self=$(readlink -f "$0")
key=$(sha256sum "$self" | cut -c1-16)
root="$cache_dir/pbx-rootfs-$key"

if [ -d "$root" ]; then
    echo "$root"
    exit 0
fi

die() {
    echo "build-pbx-rootfs: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap builds the root with chroot)"
for tool in mmdebstrap flock unshare; do
    command -v "$tool" >/dev/null || die "missing tool '$tool': run scripts/install-deps.sh (make deps)"
done

# The Debian mirror this machine already uses (never written into the project).
mirror_uri() {
    local file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        # deb822: the URIs of the first stanza with a plain release suite (not -security etc.).
        uri=$(awk '
            /^[[:space:]]*$/ { if (u != "" && main) { print u; exit } u = ""; main = 0; next }
            tolower($1) == "uris:" { u = $2 }
            tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i !~ /-/) main = 1 }
            END { if (u != "" && main) print u }
        ' "$file" | head -n1)
        if [ -n "$uri" ]; then
            echo "$uri"
            return
        fi
    done
    if [ -f /etc/apt/sources.list ]; then
        awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { print $i; exit } }' \
            /etc/apt/sources.list
    fi
}

mkdir -p "$cache_dir"
exec 9>"$cache_dir/pbx-rootfs.lock"
flock 9
if [ -d "$root" ]; then # built by another process while we waited
    echo "$root"
    exit 0
fi

mirror=$(mirror_uri)
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"

tmp=$(mktemp -d "$cache_dir/.pbx-rootfs-$key.XXXXXX")
# --one-file-system: never descend into anything still mounted below the temporary root.
trap 'rm -rf --one-file-system "$tmp"' EXIT
echo "build-pbx-rootfs: building $root from $mirror (sid: ${packages[*]})" >&2
started=$SECONDS
# In a private mount namespace: whatever mmdebstrap mounts inside the new root vanishes with it,
# even if it is killed half-way.
# shellcheck disable=SC2016 # "$1" in the hooks is expanded by mmdebstrap's hook shell
hooks=(
    --customize-hook='mkdir -p "$1/srv/uzor-unit"'
    --customize-hook='chroot "$1" asterisk -V > "$1/etc/uzor-asterisk-version"'
)
include=$(
    IFS=,
    echo "${packages[*]}"
)
unshare --mount --propagation private \
    mmdebstrap --variant=apt --mode=root \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --include="$include" "${hooks[@]}" \
    sid "$tmp/root" "$mirror" >&2
mv "$tmp/root" "$root"
echo "build-pbx-rootfs: built $root in $((SECONDS - started)) s ($(cat "$root/etc/uzor-asterisk-version"))" >&2
echo "$root"
