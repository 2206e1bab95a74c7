"""Build the installed ``uzor-confgen``: confgen.py with the bundle format inlined, one file.

``python3 appliance/pbx/build.py OUTPUT`` (packaging/build_debs.sh; the integration tests use
``confgen_source()``). The program imports two modules of the project, each with one
``from ... import``: ``appliance.contracts.bundle`` (the format the admin writes) and
``appliance.contracts.ed25519`` (the verifier of the admin's signature); the build puts each
module's code in place of its import, so the admin and the unit run the same source, and
checks that what it made imports nothing but the standard library. Standard library only
itself: it runs from a checkout without the project installed.
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "confgen.py"
BUNDLE = HERE.parent / "contracts" / "bundle.py"
BUNDLE_MODULE = "appliance.contracts.bundle"
ED25519 = HERE.parent / "contracts" / "ed25519.py"
ED25519_MODULE = "appliance.contracts.ed25519"
# The project's modules the program imports, each inlined in place of its one import.
INLINED = {BUNDLE_MODULE: BUNDLE, ED25519_MODULE: ED25519}
INTERPRETER = "#!/usr/bin/python3 -I"  # isolated: no PYTHONPATH, user site or current directory


class BuildError(Exception):
    """The sources cannot be made into one stdlib-only file; str() says why."""


def confgen_source(program: Path = PROGRAM, modules: Mapping[str, Path] | None = None) -> str:
    """The text of the one-file uzor-confgen: ``program`` with each of ``modules`` (module name
    -> source file; default ``INLINED``) put in place of its one ``from ... import``."""
    modules = INLINED if modules is None else modules
    program_text = program.read_text()
    program_tree = ast.parse(program_text)
    lines = program_text.splitlines(keepends=True)
    if lines and lines[0].startswith("#!"):
        lines[0] = ""
    program_names = _defined_names(program_tree)
    replaced: list[tuple[int, int, list[str]]] = []  # (first line, end line, inlined lines)
    seen: set[str] = set()
    for module, source in modules.items():
        module_text = source.read_text()
        module_tree = ast.parse(module_text)
        _require_stdlib(module_tree, source.name)
        node = _the_import(program_tree, module, program.name)
        imported = {alias.name for alias in node.names}
        if any(alias.asname for alias in node.names):
            raise BuildError(f"{program.name}: import the names of {module} without 'as'")
        defined = _defined_names(module_tree)
        if imported - defined:
            raise BuildError(f"{source.name} does not define {sorted(imported - defined)}")
        clashes = (program_names | seen) & defined
        if clashes:
            raise BuildError(f"{program.name} and {source.name} both define {sorted(clashes)}")
        seen |= defined
        assert node.end_lineno is not None
        inlined = [
            f"# ---- {module} ({_relative(source)}), inlined by build.py ----\n",
            *_body(module_text, module_tree),
            f"# ---- end of {module} ----\n",
        ]
        replaced.append((node.lineno - 1, node.end_lineno, inlined))
    for first, end, inlined in sorted(replaced, reverse=True):
        lines[first:end] = inlined
    text = INTERPRETER + "\n" + "".join(lines)
    _require_stdlib(ast.parse(text), "the built program")
    return text


def _the_import(tree: ast.Module, module: str, what: str) -> ast.ImportFrom:
    found = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
    ]
    if len(found) != 1:
        raise BuildError(f"{what}: expected one 'from {module} import ...'")
    return found[0]


def _relative(source: Path) -> str:
    try:
        return str(source.resolve().relative_to(HERE.parent.parent))
    except ValueError:
        return source.name


def _defined_names(tree: ast.Module) -> set[str]:
    """Names a module's top level defines (imports left out: the same import twice is fine)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _body(text: str, tree: ast.Module) -> list[str]:
    """The module's lines without its docstring and its ``from __future__`` import (which must
    stay the first statement of the program, where confgen.py has its own)."""
    lines = text.splitlines(keepends=True)
    skip: set[int] = set()
    for node in tree.body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if (docstring and node is tree.body[0]) or future:
            assert node.end_lineno is not None
            skip |= set(range(node.lineno - 1, node.end_lineno))
    return [line for number, line in enumerate(lines) if number not in skip]


def _require_stdlib(tree: ast.Module, what: str) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise BuildError(f"{what}: a relative import")
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            if top != "__future__" and top not in sys.stdlib_module_names:
                raise BuildError(f"{what}: imports {module}, not the standard library")


def write(output: Path) -> None:
    """Write the program to ``output`` (mode 0755), atomically."""
    text = confgen_source()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o755)  # noqa: S103 - a program: everyone may run it
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: build.py OUTPUT", file=sys.stderr)
        return 2
    try:
        write(Path(args[0]))
    except (BuildError, OSError) as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
