"""``uzor-configure``: picks the shell (Textual TUI, plain prompts or an answers file) and runs
the configurator's steps. Exit codes (``uzor_common.exitcodes.ExitCode``): 0 configured, or the
greeting was answered "n" (nothing changed); 1 a step failed (its message was shown); 2 bad
options or a bad answers file; 130 Ctrl-C, or the input ended."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TextIO

from configurator.core.answers import AnswersError, AnswersShell, load_answers
from configurator.core.context import Context, build_context
from configurator.core.questions import Answers
from configurator.core.steps import all_steps
from configurator.core.wizard import Outcome, Shell, run_steps
from configurator.i18n import LANGUAGES, _, language_from_environment, set_language
from configurator.prompts.readers import PromptAbortedError
from uzor_common.exitcodes import ExitCode


def _language_asked(argv: list[str]) -> str:
    """The language for --help and early errors: --lang if given, else the locale."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGUAGES else "en"
        if arg == "--lang" and index + 1 < len(argv) and argv[index + 1] in LANGUAGES:
            return argv[index + 1]
    return language_from_environment()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else argv
    set_language(_language_asked(argv))
    parser = argparse.ArgumentParser(
        prog="uzor-configure",
        description=_(
            "Configure the Uzor appliance: database, tables, superuser, TLS, license, services."
        ),
    )
    parser.add_argument(
        "--answers", type=Path, metavar="FILE", help=_("answer every question from this YAML file")
    )
    parser.add_argument(
        "--plain", action="store_true", help=_("line prompts instead of the full-screen interface")
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, help=_("interface language (default: from the locale)")
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("/"),
        metavar="PREFIX",
        help=_("filesystem prefix for every path written; no service is started"),
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help=_(
            'answer "Perform automatic configuration (y/n)?" with yes; without a terminal '
            "and an answers file, take every default (no superuser, no license)"
        ),
    )
    parser.add_argument(
        "--admin-command",
        metavar="COMMAND",
        help=_("how to run uzor-admin (default: /opt/uzor/venv/bin/uzor-admin)"),
    )
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks of errors"))
    return parser.parse_args(argv)


def capable_terminal(stdin: TextIO, stdout: TextIO) -> bool:
    term = os.environ.get("TERM", "")
    return stdin.isatty() and stdout.isatty() and term not in ("", "dumb", "unknown")


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 - one exit per outcome
    args = parse_args(argv)
    try:
        answers_file = load_answers(args.answers) if args.answers else None
    except AnswersError as exc:
        print(_("Error in the answers file:"), file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return ExitCode.USAGE
    language = args.lang or (answers_file and answers_file.language) or language_from_environment()
    set_language(language)
    admin_command = shlex.split(args.admin_command) if args.admin_command else None
    ctx = build_context(root=args.root, admin_command=admin_command)
    if ctx.paths.is_live_system and os.geteuid() != 0:
        print(_("Run the configurator as root (sudo /opt/uzor/configurator.sh)."), file=sys.stderr)
        return ExitCode.USAGE
    preset: Answers = {"configure": True} if args.yes else {}
    try:
        if answers_file is not None:
            shell = AnswersShell(args.answers, answers_file.flat(), _print)
            return _run_lines(ctx, shell, preset)
        if args.yes and not sys.stdin.isatty():
            # No terminal, no answers file: every question takes its default.
            defaults = AnswersShell(Path("--yes"), {"superuser.create": False}, _print)
            return _run_lines(ctx, defaults, preset)
        if args.plain or not capable_terminal(sys.stdin, sys.stdout):
            from configurator.prompts import PromptShell

            return _run_lines(ctx, PromptShell(), preset)
        from configurator.tui.app import run_tui

        return run_tui(ctx, preset)
    except AnswersError as exc:
        print(str(exc), file=sys.stderr)
        return ExitCode.USAGE
    except (KeyboardInterrupt, PromptAbortedError) as exc:
        print(str(exc) or _("Cancelled."), file=sys.stderr)
        return ExitCode.ABORTED
    except Exception as exc:
        if args.debug:
            raise
        print(f"uzor-configure: {type(exc).__name__}: {exc} (--debug shows more)", file=sys.stderr)
        return ExitCode.FAILURE


def _print(line: str) -> None:
    print(line, flush=True)


def _run_lines(ctx: Context, shell: Shell, preset: Answers) -> int:
    outcome = run_steps(ctx, all_steps(), shell, _print, preset)
    return ExitCode.FAILURE if outcome is Outcome.FAILED else ExitCode.OK
