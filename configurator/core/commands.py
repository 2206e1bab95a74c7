"""Running outside programs with their output streamed line by line to the progress log."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    lines: list[str]

    def tail(self, count: int = 15) -> str:
        return "\n".join(self.lines[-count:])


def run_streaming(
    command: Sequence[str],
    on_line: Callable[[str], None],
    env: Mapping[str, str] | None = None,
    stdin_text: str | None = None,
) -> CommandResult:
    """Run ``command``, pass each output line (stdout and stderr merged) to ``on_line``.

    ``stdin_text`` is written to the program's standard input (the way to hand it a secret:
    never the command line). Raises FileNotFoundError if the program does not exist."""
    # Python writes into a pipe in 8 KB blocks: without this, `uzor-admin migrate` (Django's
    # output) would reach the log all at once when it ends instead of line by line.
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    lines: list[str] = []
    with subprocess.Popen(
        list(command),
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=full_env,
        text=True,
        bufsize=1,
    ) as proc:
        if stdin_text is not None and proc.stdin is not None:
            proc.stdin.write(stdin_text)
            proc.stdin.close()
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            on_line(line)
    return CommandResult(proc.returncode, lines)
