"""Line-by-line prompts over the configurator core: questionary on a terminal, plain
``input()`` when standard input is a pipe (scripts, tests)."""

from configurator.prompts.shell import PromptShell

__all__ = ["PromptShell"]
