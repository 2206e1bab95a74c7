"""Asterisk configuration rendered from the call-center model (see render.py)."""

from .escape import RenderError
from .revisions import create_revisions
from .snapshot import Snapshot, load_snapshot

__all__ = ["RenderError", "Snapshot", "create_revisions", "load_snapshot"]
