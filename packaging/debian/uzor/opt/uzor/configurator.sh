#!/bin/sh
# Uzor configurator: database, superuser, TLS, license, services. Safe to re-run.
# Options: --answers FILE (no questions), --plain (line prompts), --lang en|ru, --help.
if [ "$(id -u)" -ne 0 ]; then
    echo "configurator.sh: run as root (sudo /opt/uzor/configurator.sh)" >&2
    exit 1
fi
exec /opt/uzor/venv/bin/uzor-configure "$@"
