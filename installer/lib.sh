# shellcheck shell=bash
# Helpers of the Uzor installer: messages (English/Russian), progress, system checks, packages.
# Expects $here: the extracted bundle's directory.
: "${here:?}"

# shellcheck source=installer/preflight.sh
. "$(dirname "${BASH_SOURCE[0]}")/preflight.sh"
# shellcheck source=installer/verify.sh
. "$(dirname "${BASH_SOURCE[0]}")/verify.sh"

LOG=${UZOR_INSTALL_LOG:-/var/log/uzor-install.log}
APP_DEPENDENCIES=(mariadb-server nginx sox libsox-fmt-mp3 ssl-cert python3-venv tzdata openssl)
PBX_DEPENDENCIES=(python3 tzdata openssl)
steps_done=0
steps_total=1

say() { printf '%s\n' "$*"; }
warn() { printf '%s %s\n' "$(t "warning:" "внимание:")" "$*" >&2; }
die() { printf 'uzor-installer: %s\n' "$*" >&2; exit 1; }

step() {
    steps_done=$((steps_done + 1))
    printf '\n[%d/%d] %s\n' "$steps_done" "$steps_total" "$*"
}

run_logged() {  # command... : output to the log; a progress line on a terminal
    local start pid status=0 spin="|/-\\" i=0 label="$*"
    label=${label:0:60}
    start=$(date +%s)
    printf '\n$ %s\n' "$*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 &
    pid=$!
    if [ -t 1 ]; then
        while kill -0 "$pid" 2>/dev/null; do
            printf "\r  %s %s (%ss)" "${spin:i++%4:1}" "$label" "$(($(date +%s) - start))"
            sleep 0.5
        done
        printf '\r\033[K'
    fi
    wait "$pid" || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 25 "$LOG" >&2
        die "$(t "'$*' failed (exit $status); the full log is $LOG" "«$*» завершилась с ошибкой ($status); полный журнал: $LOG")"
    fi
    say "  $label: $(t "done in" "готово за") $(($(date +%s) - start)) s"
}

check_system() {  # role, bundle version; nothing is changed before these pass (preflight.sh)
    local failures
    failures=$(preflight_failures "$1" "$2" no)
    if [ -n "$failures" ]; then
        printf 'uzor-installer: %s\n' "${failures//$'\n'/$'\n'uzor-installer: }" >&2
        exit 1
    fi
    touch "$LOG" && chmod 0600 "$LOG"
}

distribution_has() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -qv '(none)'
}

block_service_starts() {  # chroot: dpkg must not start daemons through init scripts
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# uzor-installer: no init system here\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        policy_added=yes
    fi
}

allow_service_starts() {
    if [ "${policy_added:-no}" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi
}

install_distribution_packages() {  # role
    local packages=()
    case "$1" in
        pbx) packages=("${PBX_DEPENDENCIES[@]}" asterisk) ;;
        app) packages=("${APP_DEPENDENCIES[@]}") ;;
        all) packages=("${APP_DEPENDENCIES[@]}") ;;
    esac
    run_logged apt-get update -q
    if [ "$1" = pbx ] && ! distribution_has asterisk; then
        die "$(t "this distribution has no asterisk package: install the PBX role on a host that has it (Ubuntu 24.04, or Debian testing/unstable)" \
                 "в этом дистрибутиве нет пакета asterisk: роль pbx ставится на узел, где он есть (Ubuntu 24.04, Debian testing/unstable)")"
    fi
    if [ "$1" = all ]; then
        if distribution_has asterisk; then
            packages+=(asterisk)
        else
            say "$(t "This distribution has no Asterisk: installing the app node only. Add a PBX unit on a host with Asterisk: ./uzor_VERSION.run -- --role pbx" \
                     "В этом дистрибутиве нет Asterisk: ставится только узел приложений. АТС добавляется на узле с Asterisk: ./uzor_ВЕРСИЯ.run -- --role pbx")"
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    run_logged apt-get install -y -q --no-install-recommends "${packages[@]}"
}

role_packages() {  # role -> the Uzor packages it needs, in install order
    case "$1" in
        pbx) echo uzor-pbx ;;
        app) echo uzor-common uzor-admin uzor-agency uzor-webagent uzor ;;
        all) echo uzor-common uzor-admin uzor-agency uzor-webagent uzor uzor-pbx ;;
    esac
}

install_uzor_packages() {  # role
    local name files=()
    for name in $(role_packages "$1"); do
        if [ "$name" = uzor-pbx ] && [ "$1" = all ] && ! command -v asterisk >/dev/null; then
            continue
        fi
        if compgen -G "$here/debs/${name}_*.deb" >/dev/null; then
            files+=("$here"/debs/"${name}"_*.deb)
        else
            say "  $(t "$name is not part of this bundle" "$name не входит в этот пакет")"
        fi
    done
    # Completes a run that was interrupted while packages were being configured.
    run_logged dpkg --configure -a
    # Upgrades keep locally changed configuration files without asking.
    run_logged dpkg -i --force-confdef --force-confold "${files[@]}"
}

summary() {
    say "$(t "Uzor is installed. Log: $LOG" "Uzor установлен. Журнал: $LOG")"
    if [ "$1" != pbx ]; then
        say "$(t "Re-run the configurator at any time: /opt/uzor/configurator.sh" \
                 "Конфигуратор можно запустить снова: /opt/uzor/configurator.sh")"
    fi
}
