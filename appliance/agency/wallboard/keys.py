"""The public half of the admin's supervisor key, as the configurator writes it for the agency."""

from __future__ import annotations

import logging
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from appliance.contracts.supervisor_token import public_key_from_text

log = logging.getLogger(__name__)


def load_public_key(path: Path) -> Ed25519PublicKey | None:
    """The key in ``path`` (32 raw bytes in base64), or None (logged) when there is none: the
    wallboard then refuses every page, the rest of the agency works."""
    try:
        return public_key_from_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.warning("%s: no supervisor key: the wallboard refuses every page", path)
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: the supervisor key is not usable (%s): wallboard refused", path, exc)
        return None
