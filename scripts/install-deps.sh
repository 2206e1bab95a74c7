#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need; does nothing when all are there.
set -euo pipefail

packages=(
    # test fixtures: real MariaDB, the PBX root filesystem, SIP peers, browser, audio
    mariadb-server mariadb-client mmdebstrap debian-archive-keyring arch-test
    sip-tester chromium firefox-esr sox libsox-fmt-all espeak-ng tmux
    # PBX units: unshare/nsenter/setpriv/flock for the Asterisk root filesystem
    util-linux
    # packaging and the booted target system
    makeself lintian dpkg-dev fakeroot systemd-container shellcheck openssl
    # admin: gettext catalogs (makemessages/compilemessages)
    # licensing: msgfmt for `make licensing-locale` (the compiled .mo is committed)
    gettext
)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$pkg")
done
# webagent: node and npm build and unit-test the browser app. Debian's nodejs + npm, unless a
# node with its own npm is already there.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run as root: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
