"""The core runs every step without a user interface: importing it (and every step) never
imports textual, questionary or prompt_toolkit."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_core_never_imports_textual_or_questionary() -> None:
    probe = (
        "import sys, pkgutil, importlib, configurator.core\n"
        "for m in pkgutil.walk_packages(configurator.core.__path__, 'configurator.core.'):\n"
        "    if m.name != 'configurator.core.django_superuser':\n"
        "        importlib.import_module(m.name)\n"
        "from configurator.core.steps import all_steps\n"
        "all_steps()\n"
        "assert 'configurator.core.steps.tls' in sys.modules\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in "
        "('textual', 'questionary', 'prompt_toolkit', 'rich')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
