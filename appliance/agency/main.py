"""``uzor-agency --config FILE``: load the configuration, pass the license gate, serve.

Exit codes (``uzor_common.exitcodes``): 0 stopped normally, 2 bad configuration (one line naming
file and key), 3 no valid license (the licensing gate's one line), 1 failure at start-up (one
line; ``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from appliance.agency.config import AgencyConfig, ConfigError, load_config
from appliance.agency.i18n import _, process_language
from appliance.agency.license_watch import Gate, configured_check, license_info
from appliance.agency.running import LicenseInfo
from licensing.gate import LicenseRefusedError, require_license
from uzor_common.exitcodes import NO_LICENSE, ExitCode

__all__ = ["Gate", "entry", "license_info", "main", "parse_args"]


def parse_args(argv: Sequence[str] | None, language: str = "en") -> argparse.Namespace:
    texts = {
        "description": _("The Uzor agency: operators' terminals (ACP) <-> the PBX units (AMI)."),
        "config": _("/etc/uzor/agency/<instance>.yaml (conf.d/ next to it is read too)"),
        "set": _("override one key, e.g. --set listen.port=8766"),
        "debug": _("tracebacks and debug logging"),
    }
    say = {name: text.render(language) for name, text in texts.items()}
    parser = argparse.ArgumentParser(prog="uzor-agency", description=say["description"])
    parser.add_argument("--config", type=Path, required=True, help=say["config"])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=say["set"])
    parser.add_argument("--debug", action="store_true", help=say["debug"])
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    gate: Gate = require_license,
    stderr: TextIO | None = None,
    run: Callable[[AgencyConfig, LicenseInfo], Any] | None = None,
) -> int:
    err = stderr if stderr is not None else sys.stderr
    language = process_language()  # the server operator's locale, as the license gate's
    args = parse_args(argv, language)
    try:
        config = load_config(args.config, args.set)
    except ConfigError as exc:
        print(f"uzor-agency: {exc.render(language)}", file=err)
        return ExitCode.BAD_CONFIG
    logging.basicConfig(
        level=logging.DEBUG if args.debug else config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=err,
    )
    try:
        info = configured_check(config, gate)()
    except LicenseRefusedError as refused:
        print(refused.message, file=err, flush=True)
        return NO_LICENSE
    try:
        if run is not None:
            run(config, info)
        else:
            import uvloop  # libuv's event loop: the same asyncio for a fraction of the CPU

            from appliance.agency.app import serve

            uvloop.run(serve(config, info))
    except Exception as exc:
        if args.debug:
            raise
        message = _("uzor-agency: cannot start: {error}", error=exc)
        print(message.render(language), file=err)
        return ExitCode.FAILURE
    return ExitCode.OK


def entry() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    entry()
