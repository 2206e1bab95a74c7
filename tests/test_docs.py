"""References in the repository resolve inside it: every requirement ID cited in the code and
the docs is defined in docs/requirements.md, and nothing points at a document that is not here."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"
# IDs as docs/requirements.md spells them (a license ID such as LIC-0001 is not one)
REQUIREMENT_ID = re.compile(r"\b(?:ADM|AGY|ANS|EXT|INS|LIC|WA)-[1-9][0-9]?\b")
TEXT_SUFFIXES = {".py", ".md", ".sh", ".j2", ".js", ".mjs", ".yml", ".yaml", ".html", ".toml"}
OUTSIDE = ("INTERFACES.md", "../shared/", "shared/docs/")


def _tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.split(b"\0")
    paths = (ROOT / name.decode() for name in names if name)
    return [p for p in paths if p.suffix in TEXT_SUFFIXES and p.is_file()]


def _defined_requirements() -> set[str]:
    rows = re.findall(
        r"^\| ((?:ADM|AGY|ANS|EXT|INS|LIC|WA)-[0-9]+) \|", REQUIREMENTS.read_text(), re.M
    )
    return set(rows)


def test_the_requirements_are_in_the_repository():
    defined = _defined_requirements()
    assert {"ADM-15", "AGY-1", "AGY-10", "LIC-4", "INS-9", "EXT-1", "WA-9"} <= defined
    assert len(defined) == 60  # INS 11, LIC 5, ADM 18, AGY 10, WA 9, ANS 2, EXT 5


def test_every_requirement_id_cited_is_defined_in_docs_requirements():
    defined = _defined_requirements()
    undefined = {
        f"{path.relative_to(ROOT)}: {found}"
        for path in _tracked_text_files()
        if path != REQUIREMENTS
        for found in REQUIREMENT_ID.findall(path.read_text(errors="replace"))
        if found not in defined
    }
    assert not undefined, sorted(undefined)


def test_nothing_points_at_a_document_outside_the_repository():
    this = Path(__file__).resolve()
    outside = {
        f"{path.relative_to(ROOT)}: {needle}"
        for path in _tracked_text_files()
        if path != this
        for needle in OUTSIDE
        if needle in path.read_text(errors="replace")
    }
    assert not outside, sorted(outside)
