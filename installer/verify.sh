# shellcheck shell=bash
# Bundle authentication: MANIFEST.sha256 lists the sha256 of every file in the bundle and is
# signed with the vendor's ed25519 key in the licensing package's detached-signature format
# (MANIFEST.sha256.sig, made by `uzor-license sign-file`; the signed message is
# "UZOR-FILE-SIGNATURE-V1\0" + SHA-512 of the file), checked here with openssl alone. Checksums alone prove
# nothing about who built the bundle; the signature does, against a key the machine already
# trusts (/usr/share/uzor/keys on an installed system) or, on a first install, a key whose
# fingerprint the installer compares with the one the vendor publishes.

TRUSTED_KEYS_DIR=${UZOR_TRUSTED_KEYS_DIR:-/usr/share/uzor/keys}

key_fingerprint() {  # PEM public key file -> hex sha256 of the raw 32-byte ed25519 key
    openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | tail -c 32 | sha256sum | cut -d' ' -f1
}

signature_valid() {  # PEM public key, signed file, armoured signature (uzor-license sign-file)
    local work hex status=0
    work=$(mktemp -d)
    hex=$(sha512sum <"$2" | cut -c1-128)
    # shellcheck disable=SC2001  # every hex pair becomes \xHH: parameter expansion cannot do it
    { printf 'UZOR-FILE-SIGNATURE-V1\0'; printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")"; } >"$work/message"
    if sed -n 's/^Signature: *//p' "$3" | base64 -d >"$work/signature" 2>/dev/null; then
        openssl pkeyutl -verify -pubin -inkey "$1" -rawin -in "$work/message" \
            -sigfile "$work/signature" >/dev/null 2>&1 || status=1
    else
        status=1
    fi
    rm -rf "$work"
    return "$status"
}

ensure_verifier() {
    command -v openssl >/dev/null && return 0
    say "$(t "Installing openssl from the distribution to verify the bundle's signature" \
             "Установка openssl из дистрибутива для проверки подписи пакета")"
    run_logged apt-get update -q
    DEBIAN_FRONTEND=noninteractive run_logged apt-get install -y -q --no-install-recommends openssl
}

check_manifest_files() {  # bundle dir: every file listed, every listed file intact
    local dir=$1 listed actual
    listed=$(sed -E 's/^[0-9a-f]{64}  //' "$dir/MANIFEST.sha256" | sort)
    actual=$(cd "$dir" && find . -type f ! -name MANIFEST.sha256 ! -name MANIFEST.sha256.sig | sort)
    if [ "$listed" != "$actual" ]; then
        die "$(t "the bundle's files differ from its signed manifest: refusing to install" \
                 "файлы пакета не совпадают с подписанным списком: установка отменена")"
    fi
    (cd "$dir" && sha256sum --check --strict --quiet MANIFEST.sha256 >/dev/null 2>&1) ||
        die "$(t "a file of the bundle does not match its signed checksum: refusing to install" \
                 "файл пакета не совпадает с подписанной контрольной суммой: установка отменена")"
}

verify_with_trusted_keys() {  # bundle dir, expected fingerprint -> 0 when an installed vendor key signed it
    local dir=$1 expected=$2 key fpr
    for key in "$TRUSTED_KEYS_DIR"/*.pub; do
        [ -f "$key" ] || continue
        if signature_valid "$key" "$dir/MANIFEST.sha256" "$dir/MANIFEST.sha256.sig"; then
            fpr=$(key_fingerprint "$key")
            if [ -n "$expected" ] && [ "${expected,,}" != "$fpr" ]; then
                die "$(t "the bundle is signed by key $fpr, not by the expected $expected: refusing to install" \
                         "пакет подписан ключом $fpr, а не ожидаемым $expected: установка отменена")"
            fi
            say "$(t "Signature OK: signed by vendor key $(basename "$key" .pub), already trusted here." \
                     "Подпись верна: ключ поставщика $(basename "$key" .pub), которому эта система уже доверяет.")"
            return 0
        fi
    done
    die "$(t "the bundle is not signed by a vendor key this installation trusts ($TRUSTED_KEYS_DIR): refusing to upgrade" \
             "пакет подписан не ключом поставщика, которому доверяет эта установка ($TRUSTED_KEYS_DIR): обновление отменено")"
}

verify_first_install() {  # bundle dir, expected fingerprint (may be empty)
    local dir=$1 expected=$2 fpr
    fpr=$(key_fingerprint "$dir/keys/vendor.pub")
    if [ -z "$fpr" ] || ! signature_valid "$dir/keys/vendor.pub" "$dir/MANIFEST.sha256" "$dir/MANIFEST.sha256.sig"; then
        die "$(t "the bundle's signature is invalid: refusing to install" "подпись пакета неверна: установка отменена")"
    fi
    if [ -n "$expected" ] && [ "${expected,,}" != "$fpr" ]; then
        die "$(t "the bundle is signed by key $fpr, not by the expected $expected: refusing to install" \
                 "пакет подписан ключом $fpr, а не ожидаемым $expected: установка отменена")"
    fi
    say "$(t "Signed by vendor key with SHA-256 fingerprint:" "Подписано ключом поставщика, отпечаток SHA-256:")"
    say "    $fpr"
    [ -n "$expected" ] || say "$(t "Compare it with the fingerprint your vendor publishes before you go on." \
                                  "Сравните его с отпечатком, который публикует поставщик, прежде чем продолжать.")"
}

verify_bundle() {  # bundle dir, expected fingerprint (may be empty)
    local dir=$1 expected=$2
    command -v openssl >/dev/null ||
        die "$(t "openssl is needed to verify the signature (apt-get install openssl)" \
                 "для проверки подписи нужен openssl (apt-get install openssl)")"
    if [ ! -f "$dir/MANIFEST.sha256" ] || [ ! -f "$dir/MANIFEST.sha256.sig" ]; then
        die "$(t "the bundle has no signed manifest: refusing to install" "в пакете нет подписанного списка файлов: установка отменена")"
    fi
    if compgen -G "$TRUSTED_KEYS_DIR/*.pub" >/dev/null; then
        verify_with_trusted_keys "$dir" "$expected"
    else
        verify_first_install "$dir" "$expected"
    fi
    check_manifest_files "$dir"
    say "$(t "All $(wc -l <"$dir/MANIFEST.sha256") files match the signed manifest." \
             "Все $(wc -l <"$dir/MANIFEST.sha256") файлов совпадают с подписанным списком.")"
}
