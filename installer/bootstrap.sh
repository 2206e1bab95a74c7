#!/usr/bin/env bash
# Uzor installer, run by the self-extracting uzor_<version>.run from its extracted directory.
# Order matters: refuse unsupported systems before changing anything; verify the signed
# manifest before installing anything of ours; then distribution packages, our packages, and
# the configurator. Re-running upgrades in place; an interrupted run completes when re-run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/lib.sh
. "$here/lib.sh"

role=all configure=yes answers="" check_only=no expect_fpr="" lang_arg="" assume_yes=no
unit_args=()

usage() {
    t "Usage: ./uzor_VERSION.run [makeself options] -- [options]
  --role all|app|pbx     all: app node and PBX (default); app: no Asterisk; pbx: Asterisk + uzor-pbx
  --answers FILE         configure non-interactively from an answers file (YAML)
  --no-configure         install only; run /opt/uzor/configurator.sh later
  --check                verify the bundle's signature and checksums, change nothing
  --expect-fingerprint HEX  refuse unless the bundle is signed by this vendor key
  --yes                  do not ask for confirmation
  --lang en|ru           language of the installer and the configurator
  --admin-url URL --unit NAME --unit-token-file FILE [--admin-ca FILE] [--ami-permit CIDR]
  [--http-bind ADDRESS] [--admin-signing-key FILE] [--ami-bind ADDRESS] [--ami-tls]
  [--ami-cert-out FILE]
                         PBX unit: connect it to the admin (uzor-pbx-setup)
Makeself options (before --): --help, --check, --info, --list, --noexec, --target DIR, --keep" \
"Использование: ./uzor_ВЕРСИЯ.run [опции makeself] -- [опции]
  --role all|app|pbx     all: узел приложений и АТС (по умолчанию); app: без Asterisk; pbx: Asterisk + uzor-pbx
  --answers ФАЙЛ         настроить без вопросов по файлу ответов (YAML)
  --no-configure         только установить; настроить позже: /opt/uzor/configurator.sh
  --check                проверить подпись и контрольные суммы пакета, ничего не меняя
  --expect-fingerprint HEX  отказать, если пакет подписан не этим ключом поставщика
  --yes                  не спрашивать подтверждения
  --lang en|ru           язык установщика и конфигуратора
  --admin-url URL --unit ИМЯ --unit-token-file ФАЙЛ [--admin-ca ФАЙЛ] [--ami-permit CIDR]
  [--http-bind АДРЕС] [--admin-signing-key ФАЙЛ] [--ami-bind АДРЕС] [--ami-tls]
  [--ami-cert-out ФАЙЛ]
                         АТС: подключить к администратору (uzor-pbx-setup)
Опции makeself (до --): --help, --check, --info, --list, --noexec, --target КАТАЛОГ, --keep"
}

unit_option() {  # installer option -> uzor-pbx-setup option
    case "$1" in
        --unit-token-file) echo --token-file ;;
        --admin-ca) echo --ca-file ;;
        --admin-signing-key) echo --signing-key ;;
        *) echo "$1" ;;
    esac
}

connect_unit() {
    if [ ${#unit_args[@]} -eq 0 ]; then
        say "$(t "Connect this PBX unit to the admin: uzor-pbx-setup --admin-url URL --unit NAME --token-file FILE" \
                 "Подключите АТС к администратору: uzor-pbx-setup --admin-url URL --unit ИМЯ --token-file ФАЙЛ")"
        return
    fi
    /usr/sbin/uzor-pbx-setup "${unit_args[@]}"
}

parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --role) role=${2:-}; shift 2 ;;
            --answers) answers=${2:-}; shift 2 ;;
            --no-configure) configure=no; shift ;;
            --check) check_only=yes; shift ;;
            --expect-fingerprint) expect_fpr=${2:-}; shift 2 ;;
            --yes|-y) assume_yes=yes; shift ;;
            --admin-url|--unit|--unit-token-file|--admin-ca|--ami-permit|--http-bind|--admin-signing-key|--ami-bind|--ami-cert-out)
                unit_args+=("$(unit_option "$1")" "${2:-}"); shift 2 ;;
            --ami-tls) unit_args+=("$1"); shift ;;
            --lang) lang_arg=${2:-}; UZOR_LANG=$lang_arg; shift 2 ;;
            -h|--help) usage; exit 0 ;;
            *) die "$(t "unknown option '$1' (see --help)" "неизвестная опция «$1» (см. --help)")" ;;
        esac
    done
    case "$role" in all|app|pbx) ;; *)
        die "$(t "--role must be all, app or pbx, not '$role'" "--role: all, app или pbx, а не «$role»")" ;;
    esac
    if [ -n "$answers" ] && [ ! -r "$answers" ]; then
        die "$(t "answers file '$answers' cannot be read" "файл ответов «$answers» не читается")"
    fi
}

main() {
    parse_args "$@"
    version=$(cat "$here/VERSION")
    if [ "$check_only" = yes ]; then
        verify_bundle "$here" "$expect_fpr"
        say "$(t "Bundle Uzor $version verified; nothing was changed." "Пакет Uzor $version проверен; ничего не изменено.")"
        exit 0
    fi
    check_system "$role" "$version"
    say "$(t "Installing Uzor $version (role: $role)" "Установка Uzor $version (роль: $role)")"
    steps_total=5
    step "$(t "Verifying the signed bundle" "Проверка подписи пакета")"
    ensure_verifier
    verify_bundle "$here" "$expect_fpr"
    if ! systemd_running; then
        warn "$(t "systemd is not running here (a chroot?): units are installed and enabled but not started." \
                  "systemd здесь не запущен (chroot?): службы устанавливаются и включаются, но не запускаются.")"
        block_service_starts
    fi
    step "$(t "Installing distribution packages" "Установка пакетов дистрибутива")"
    install_distribution_packages "$role"
    step "$(t "Installing Uzor packages" "Установка пакетов Uzor")"
    install_uzor_packages "$role"
    step "$(t "Configuring" "Настройка")"
    if [ -x /usr/sbin/uzor-pbx-setup ]; then connect_unit; fi
    run_configurator
    step "$(t "Done" "Готово")"
    allow_service_starts
    summary "$role"
}

run_configurator() {
    if [ "$configure" = no ]; then
        say "$(t "Skipped (--no-configure). Configure later: /opt/uzor/configurator.sh" \
                 "Пропущено (--no-configure). Настроить позже: /opt/uzor/configurator.sh")"
        return
    fi
    if [ ! -x /opt/uzor/configurator.sh ]; then
        say "$(t "This role has no configurator to run." "Для этой роли конфигуратор не нужен.")"
        return
    fi
    local args=()
    [ -n "$answers" ] && args+=(--answers "$(readlink -f "$answers")")
    [ -n "$lang_arg" ] && args+=(--lang "$lang_arg")
    [ "$assume_yes" = yes ] && args+=(--yes)
    /opt/uzor/configurator.sh "${args[@]}"
}

main "$@"
