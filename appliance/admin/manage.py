"""``uzor-admin``: Django's manage.py for the Uzor admin (migrate, createsuperuser, ...)."""

import os
import sys

SETTINGS_MODULE = "appliance.admin.uzor_admin.settings"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    if os.environ["DJANGO_SETTINGS_MODULE"] == SETTINGS_MODULE:
        _exit_on_config_error()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def _exit_on_config_error() -> None:
    """A bad admin.yaml or secret file is one line on stderr, not a Django traceback."""
    from appliance.admin.uzor_admin.config import ConfigError, load_config, read_secret
    from uzor_common.exitcodes import ExitCode
    from uzor_common.language import from_environment

    try:
        config = load_config()
        read_secret(config.secret_key_file, "Django secret key")
        read_secret(config.database.password_file, "database password")
    except ConfigError as exc:
        print(f"uzor-admin: {exc.render(from_environment())}", file=sys.stderr)
        raise SystemExit(ExitCode.BAD_CONFIG) from None


if __name__ == "__main__":
    main()
