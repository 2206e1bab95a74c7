"""``uzor-sip-proxies``: (re)writes nginx's ``/sip/<unit>`` locations from the PBX units the admin
knows and reloads nginx when they changed (run by ``uzor-sip-proxies.timer`` every minute, by the
configurator's installer and after a unit is registered). Exit (``uzor_common.exitcodes``) 0:
up to date; 1: failed (the previous file is kept); 2: bad options."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import pymysql

from configurator.core import sip_proxy
from configurator.i18n import _, language_from_environment, set_language
from uzor_common.config import ConfigError
from uzor_common.exitcodes import ExitCode

AGENCY_CONFIG = Path("/etc/uzor/agency/1.yaml")
OUT = Path("/var/lib/uzor/nginx/sip-units.conf")
Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def write_if_changed(out: Path, text: str, run: Runner, reload: bool) -> bool:
    """Writes ``text`` when it differs, keeps it only if ``nginx -t`` accepts the whole
    configuration, then reloads nginx; returns whether anything changed."""
    old = out.read_text(encoding="utf-8") if out.exists() else None
    if old == text:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.with_name(out.name + ".new")
    scratch.write_text(text, encoding="utf-8")
    scratch.chmod(0o644)
    os.replace(scratch, out)
    check = run(["nginx", "-t", "-q"])
    if check.returncode != 0:
        if old is None:
            out.unlink()
        else:
            out.write_text(old, encoding="utf-8")
        raise RuntimeError(
            _("nginx refused the new /sip locations, the previous ones are kept: {reason}").format(
                reason=(check.stderr or check.stdout).strip()
            )
        )
    if reload and run(["systemctl", "is-active", "--quiet", "nginx"]).returncode == 0:
        done = run(["systemctl", "reload", "nginx"])
        if done.returncode != 0:
            raise RuntimeError(
                _("nginx did not reload: {reason}").format(reason=done.stderr.strip())
            )
    return True


def main(
    argv: list[str] | None = None,
    *,
    run: Runner = _run,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    set_language(language_from_environment())
    parser = argparse.ArgumentParser(
        prog="uzor-sip-proxies",
        description=_("Write nginx's /sip/<unit> WebSocket proxies from the PBX units."),
    )
    parser.add_argument("--agency-config", type=Path, default=AGENCY_CONFIG)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-reload", action="store_true", help=_("do not reload nginx"))
    args = parser.parse_args(argv)
    if not args.agency_config.is_file():
        print(
            _("{path} does not exist yet: run the configurator first.").format(
                path=args.agency_config
            ),
            file=stdout,
        )
        return ExitCode.OK
    try:
        settings = sip_proxy.load_agency_settings(args.agency_config)
        rows = sip_proxy.unit_rows(settings)
    except (OSError, ValueError, ConfigError, pymysql.MySQLError) as exc:
        print(
            _("uzor-sip-proxies: cannot read the PBX units: {reason}").format(reason=exc),
            file=stderr,
        )
        return ExitCode.FAILURE
    units, refused = sip_proxy.checked_units(rows)
    for name in refused:
        print(
            _("PBX unit {name}: its name or address is not plain; no /sip location for it.").format(
                name=name
            ),
            file=stderr,
        )
    try:
        changed = write_if_changed(args.out, sip_proxy.render(units), run, not args.no_reload)
    except (OSError, RuntimeError) as exc:
        print(f"uzor-sip-proxies: {exc}", file=stderr)
        return ExitCode.FAILURE
    if changed:
        names = ", ".join(sip_proxy.PATH_PREFIX + u.name for u in units) or "-"
        print(_("nginx now proxies: {names}").format(names=names), file=stdout)
    return ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main())
