"""The text mode: a flow as YAML (JSON is valid YAML too), with problems located by line."""

from __future__ import annotations

import re
from typing import Any

import yaml
from django.utils.translation import gettext as _
from pydantic import ValidationError

from .graph import Flow
from .validate import Problem

# Written out only when they differ from these (id and kind always).
_DEFAULTS = {"label": "", "x": 0, "y": 0}


def flow_to_text(flow: dict[str, Any]) -> str:
    if isinstance(flow, dict) and isinstance(flow.get("dialplan"), str):  # a text flow
        return yaml.dump(
            {"version": 1, "dialplan": flow["dialplan"]},
            Dumper=_BlockDumper,
            sort_keys=False,
            allow_unicode=True,
        )
    try:
        data = Flow.model_validate(flow).model_dump(exclude_defaults=True)
        data["version"] = flow.get("version", 1)
        nodes = []
        for node, raw in zip(data["nodes"], Flow.model_validate(flow).nodes, strict=True):
            nodes.append({"id": raw.id, "kind": raw.kind, **node})
        data["nodes"] = nodes
    except ValidationError:
        data = flow  # shown as stored, so nothing is lost; saving reports the problems
    ordered = {"version": data.get("version", 1)}
    if data.get("standard"):
        ordered["standard"] = True
    ordered["nodes"] = data.get("nodes", [])
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as YAML blocks (a dialplan text stays readable)."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


class TextError(ValueError):
    """The text is not YAML; str() says where."""


def text_to_flow(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise TextError(
            _("line %(line)s: not valid YAML or JSON: %(problem)s")
            % {"line": line, "problem": problem}
        ) from exc


def node_line(text: str, node: str) -> int | None:
    """The line that names the node's id (1-based), if the text has one."""
    pattern = re.compile(
        r"""^\s*(?:-\s*)?["']?id["']?\s*:\s*["']?""" + re.escape(node) + r"""["']?\s*,?\s*$"""
    )
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def located(text: str, problem: Problem) -> str:
    if problem.node is None:
        return problem.message
    line = node_line(text, problem.node)
    if line is None:
        return _("node %(node)s: %(message)s") % {"node": problem.node, "message": problem.message}
    return _("line %(line)s, node %(node)s: %(message)s") % {
        "line": line,
        "node": problem.node,
        "message": problem.message,
    }
