"""`uzor-license`: the vendor's command line (keygen, server-id, sign, verify, show) plus
detached file signatures for the installer (sign-file, verify-file).

Every failure is one line on stderr that names the problem and the remedy, and an exit code
from `ExitCode` (`uzor_common.exitcodes`); `--debug` adds the traceback. `main` takes its
streams so tests capture them.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from licensing import cli_commands as commands
from licensing import errors
from licensing.i18n import _, set_language
from uzor_common.exitcodes import ExitCode

PROG = "uzor-license"


_ERROR_CODES: tuple[tuple[type[Exception], ExitCode], ...] = (
    (errors.LicenseMissing, ExitCode.LICENSE_MISSING),
    (errors.LicenseMalformed, ExitCode.LICENSE_MALFORMED),
    (errors.BadSignature, ExitCode.BAD_SIGNATURE),
    (errors.FileSignatureInvalid, ExitCode.BAD_SIGNATURE),
    (errors.SignatureMalformed, ExitCode.BAD_SIGNATURE),
    (errors.UnknownKey, ExitCode.UNKNOWN_KEY),
    (errors.WrongServer, ExitCode.WRONG_SERVER),
    (errors.Expired, ExitCode.EXPIRED),
    (errors.NotYetValid, ExitCode.NOT_YET_VALID),
    (errors.PublicKeyError, ExitCode.KEY_ERROR),
    (errors.PrivateKeyError, ExitCode.KEY_ERROR),
    (errors.MalformedServerId, ExitCode.BAD_SERVER_ID),
    (commands.UsageError, ExitCode.USAGE),
    (OSError, ExitCode.FILE_ERROR),
)


class _ParserExitError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse writing to the given streams and never calling sys.exit."""

    def __init__(self, *args: object, out: TextIO, err: TextIO, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.out, self.err = out, err

    def _print_message(self, message: str, file: object = None) -> None:
        if message:
            (self.err if file is sys.stderr else self.out).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.err.write(message)
        raise _ParserExitError(status)

    def error(self, message: str) -> NoReturn:
        self.err.write(
            _("{prog}: error: {message} (see --help)").format(prog=self.prog, message=message)
            + "\n"
        )
        raise _ParserExitError(ExitCode.USAGE)


Command = Callable[[argparse.Namespace, TextIO], None]


def build_parser(out: TextIO, err: TextIO) -> _Parser:
    parser = _Parser(prog=PROG, description=_("Issue and check Uzor licenses."), out=out, err=err)
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks of errors"))
    parser.add_argument("--lang", help=_("language of the messages: en or ru (default: locale)"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, command: Command, help_text: str) -> _Parser:
        child: _Parser = sub.add_parser(name, help=help_text, out=out, err=err)
        child.set_defaults(handler=command)
        return child

    keygen = add("keygen", commands.keygen, _("create a vendor key pair"))
    keygen.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help=_("directory for vendor.key (0600) and vendor.pub"),
    )
    add("server-id", commands.server_id, _("print this machine's server ID"))
    sign = add("sign", commands.sign, _("issue a license for a server ID"))
    sign.add_argument("--key", required=True, metavar="FILE", help=_("the vendor.key file"))
    sign.add_argument(
        "--server-id", required=True, metavar="ID", help=_("the customer's server ID")
    )
    sign.add_argument("--customer", required=True, metavar="NAME", help=_("customer name"))
    sign.add_argument(
        "--max-operators",
        required=True,
        type=int,
        metavar="N",
        help=_("concurrent operators allowed"),
    )
    sign.add_argument(
        "--max-units", type=int, default=1, metavar="N", help=_("PBX units allowed (default 1)")
    )
    sign.add_argument(
        "--expires", metavar="YYYY-MM-DD", help=_("last valid day, UTC (default: perpetual)")
    )
    sign.add_argument("--modules", metavar="A,B", help=_("comma-separated enabled modules"))
    sign.add_argument("--license-id", metavar="ID", help=_("license id (default: random)"))
    sign.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help=_("where to write the license ('-' for standard output)"),
    )
    sign.add_argument("--force", action="store_true", help=_("replace an existing output file"))
    verify = add("verify", commands.verify_command, _("check a license"))
    verify.add_argument(
        "--pubkey",
        required=True,
        metavar="PATH",
        help=_("a vendor .pub file or a directory of them"),
    )
    verify.add_argument(
        "--server-id", metavar="ID", help=_("check against this server ID (default: this machine)")
    )
    verify.add_argument("file", metavar="FILE", help=_("the license file"))
    show = add("show", commands.show, _("print a license without verifying it"))
    show.add_argument("file", metavar="FILE", help=_("the license file"))
    sign_file = add("sign-file", commands.sign_file_command, _("sign a file (detached)"))
    sign_file.add_argument("--key", required=True, metavar="FILE", help=_("the vendor.key file"))
    sign_file.add_argument("-o", "--output", metavar="FILE", help=_("signature (default FILE.sig)"))
    sign_file.add_argument("file", metavar="FILE", help=_("the file to sign"))
    verify_file = add("verify-file", commands.verify_file_command, _("check a detached signature"))
    verify_file.add_argument(
        "--pubkey",
        required=True,
        metavar="PATH",
        help=_("a vendor .pub file or a directory of them"),
    )
    verify_file.add_argument(
        "--signature", metavar="FILE", help=_("the signature (default FILE.sig)")
    )
    verify_file.add_argument("file", metavar="FILE", help=_("the signed file"))
    return parser


def _language_from(argv: Sequence[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def exit_code_for(error: Exception) -> ExitCode:
    for kind, code in _ERROR_CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.FAILURE


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    set_language(_language_from(args_list))
    parser = build_parser(out, err)
    try:
        args = parser.parse_args(args_list)
    except _ParserExitError as stop:
        return stop.status
    try:
        args.handler(args, out)
    except Exception as error:  # every failure becomes one line and an exit code
        code = exit_code_for(error)
        if args.debug:
            traceback.print_exception(error, file=err)
        err.write(f"{PROG}: {_describe(error, code)}\n")
        return code
    return ExitCode.OK


def _describe(error: Exception, code: ExitCode) -> str:
    if code is ExitCode.FAILURE:
        return _(
            "internal error ({error}); run again with --debug and send the output to the "
            "Uzor developers"
        ).format(error=f"{type(error).__name__}: {error}")
    if isinstance(error, OSError) and not isinstance(error, errors.LicenseError):
        return _("{path}: {reason}; check the path and its permissions").format(
            path=error.filename or "?", reason=error.strerror or error
        )
    return " ".join(str(error).split())


def run() -> NoReturn:
    """The console entry point."""
    sys.exit(main())
