#!/usr/bin/env bash
# shellcheck shell=bash
# The Uzor system requirements: the one place their rules live. The bootstrap sources this file
# and refuses to install when a rule fails; the Ansible collection's preflight role runs it
# standalone (nothing is changed) before its first change:
#   preflight.sh --role all|app|pbx [--bundle-version V] [--require-systemd] [--lang en|ru]
# prints one line per failed rule and exits 1, or exits 0 silently. UZOR_OS_RELEASE names the
# os-release file to read (tests fake an unsupported system with it).

MIN_MEMORY_MB_APP=1500    # MariaDB, gunicorn, the agency and nginx
MIN_MEMORY_MB_PBX=500     # Asterisk
MIN_DISK_MB_APP=3000      # packages, the venv, the database and recordings to start with
MIN_DISK_MB_PBX=1000
APP_PORTS=(80 443)        # nginx; MariaDB may already run here (database mode local)

t() {  # English text, Russian text -> the one for the current language
    local lang=${UZOR_LANG:-${LC_ALL:-${LC_MESSAGES:-${LANG:-en}}}}
    case "$lang" in ru*) printf '%s' "$2" ;; *) printf '%s' "$1" ;; esac
}

os_field() { sed -n "s/^$1=//p" "${UZOR_OS_RELEASE:-/etc/os-release}" | tr -d "\"'"; }

os_supported() {  # role; prints a reason when the system is not supported
    local id="" version="" codename=""
    if [ -r "${UZOR_OS_RELEASE:-/etc/os-release}" ]; then
        id=$(os_field ID) version=$(os_field VERSION_ID) codename=$(os_field VERSION_CODENAME)
    fi
    case "$id:$version:$codename" in
        debian:12:*|debian:13:*|debian::trixie|ubuntu:24.04:*) return 0 ;;
    esac
    # A PBX unit needs the distribution's Asterisk, not Uzor's Python: Debian testing/unstable.
    if [ "$1" = pbx ] && [ "$id" = debian ] && [ -z "$version" ]; then
        return 0
    fi
    t "unsupported system '${id:-unknown} ${version:-$codename}': Uzor installs on Debian 12, Debian 13 or Ubuntu 24.04" \
      "неподдерживаемая система '${id:-unknown} ${version:-$codename}': Uzor устанавливается на Debian 12, Debian 13 или Ubuntu 24.04"
    return 1
}

rule() { t "$1" "$2"; echo; }  # English, Russian: one failed rule, one line

systemd_running() { [ -d /run/systemd/system ]; }

memory_mb() { awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo; }

free_disk_mb() { df -Pm "${1:-/}" | awk 'NR == 2 { print $4 }'; }

port_holder() {  # TCP port -> the command name of the process listening on it (empty: free)
    local hex inodes inode fd
    hex=$(printf '%04X' "$1")
    # /proc/net/tcp{,6}: local address ...:PORT, state 0A (LISTEN), inode in column 10.
    inodes=$(awk -v port=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { print $10 }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null)
    [ -n "$inodes" ] || return 0
    for inode in $inodes; do
        for fd in /proc/[0-9]*/fd/*; do
            if [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ]; then
                fd=${fd%/fd/*}
                cat "$fd/comm"
                return 0
            fi
        done
    done
    t "another process" "другой процесс"
}

installed_version() {  # package -> its installed version (empty: not installed)
    dpkg-query -W -f '${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null | awk '$1 ~ /^.i/ { print $2 }' || true
}

role_main_package() {
    case "$1" in pbx) echo uzor-pbx ;; *) echo uzor-common ;; esac
}

preflight_failures() {  # role bundle-version require-systemd(yes|no) -> one line per failed rule
    local role=$1 bundle_version=$2 require_systemd=$3 reason arch memory disk port holder
    local min_memory=$MIN_MEMORY_MB_APP min_disk=$MIN_DISK_MB_APP installed
    if [ "$role" = pbx ]; then min_memory=$MIN_MEMORY_MB_PBX min_disk=$MIN_DISK_MB_PBX; fi
    [ "$(id -u)" -eq 0 ] || rule "run the installer as root (sudo ./uzor_VERSION.run)" "запустите установщик от root (sudo ./uzor_ВЕРСИЯ.run)"
    reason=$(os_supported "$role") || printf '%s\n' "$reason"
    arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
    [ "$arch" = amd64 ] || rule "unsupported architecture '$arch': Uzor needs amd64" "неподдерживаемая архитектура '$arch': нужна amd64"
    memory=$(memory_mb)
    [ "${memory:-0}" -ge "$min_memory" ] ||
        rule "too little memory: ${memory:-?} MB, the $role role needs at least $min_memory MB" \
          "мало памяти: ${memory:-?} МБ, для роли $role нужно не меньше $min_memory МБ"
    disk=$(free_disk_mb /)
    [ "${disk:-0}" -ge "$min_disk" ] ||
        rule "too little free disk space on /: ${disk:-?} MB, the $role role needs at least $min_disk MB" \
          "мало места на диске /: ${disk:-?} МБ, для роли $role нужно не меньше $min_disk МБ"
    if ! systemd_running; then
        if [ "$require_systemd" = yes ]; then
            rule "systemd is not running as PID 1 here: the services could not be started" \
              "systemd здесь не работает как PID 1: службы не запустятся"
        fi
    elif [ "$role" != pbx ]; then
        # Only where services will start; our own nginx holds them on an upgrade.
        for port in "${APP_PORTS[@]}"; do
            holder=$(port_holder "$port")
            if [ -n "$holder" ] && [ "$holder" != nginx ]; then
                rule "port $port is in use by '$holder': nginx of Uzor needs it" \
                  "порт $port занят процессом '$holder': он нужен nginx Uzor"
            fi
        done
    fi
    if [ -n "$bundle_version" ]; then
        installed=$(installed_version "$(role_main_package "$role")")
        if [ -n "$installed" ] && dpkg --compare-versions "$bundle_version" lt "$installed"; then
            rule "Uzor $installed is installed: this bundle ($bundle_version) is older, refusing to downgrade" \
              "установлен Uzor $installed: этот пакет ($bundle_version) старее, понижение версии отменено"
        fi
    fi
}

preflight_main() {
    local role=all bundle_version="" require_systemd=no failures
    while [ $# -gt 0 ]; do
        case "$1" in
            --role) role=${2:-}; shift 2 ;;
            --bundle-version) bundle_version=${2:-}; shift 2 ;;
            --require-systemd) require_systemd=yes; shift ;;
            --lang) UZOR_LANG=${2:-}; shift 2 ;;
            *) echo "preflight: unknown option '$1'" >&2; exit 2 ;;
        esac
    done
    case "$role" in all|app|pbx) ;; *) echo "preflight: --role must be all, app or pbx" >&2; exit 2 ;; esac
    failures=$(preflight_failures "$role" "$bundle_version" "$require_systemd")
    if [ -n "$failures" ]; then
        printf '%s\n' "$failures"
        exit 1
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    preflight_main "$@"
fi
