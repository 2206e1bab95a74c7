"""Writing configuration and secret files: atomically, with the right mode and owner, and only
when something differs (a second run leaves files, and their times, alone)."""

from __future__ import annotations

import base64
import grp
import os
import pwd
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from configurator.i18n import _

SERVICE_USER = "uzor"  # the admin's system user
AGENCY_USER = "uzor-agency"  # the agency's system user (packaging/debian/uzor-agency)


@dataclass(frozen=True)
class Owner:
    """A uid/gid pair to give files to; ``None`` leaves that part alone."""

    uid: int | None = None
    gid: int | None = None


def service_owner(user_only: bool = False, name: str = SERVICE_USER) -> Owner:
    """``uzor:uzor`` (or ``root:uzor`` unless ``user_only``; another system user's ``name``)
    when that user exists and we may chown; otherwise nothing (a test run as an ordinary user,
    or before the package made it)."""
    if os.geteuid() != 0:
        return Owner()
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        return Owner()
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        gid = user.pw_gid
    return Owner(user.pw_uid if user_only else 0, gid)


def ensure_dir(path: Path, mode: int, owner: Owner = Owner()) -> bool:
    """Create ``path`` (and parents) if needed and set its mode/owner; True if anything changed."""
    changed = False
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        changed = True
    return _set_mode_and_owner(path, mode, owner) or changed


def write_file(path: Path, content: str | bytes, mode: int, owner: Owner = Owner()) -> bool:
    """Write ``content`` to ``path`` unless it already holds exactly that; True if changed."""
    data = content.encode() if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return _set_mode_and_owner(path, mode, owner)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        _set_mode_and_owner(tmp, mode, owner)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def read_secret(path: Path) -> str | None:
    """The secret kept in ``path``, or None when there is none yet."""
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        return None
    return value or None


def new_secret(length: int = 32) -> str:
    return secrets.token_urlsafe(length)


def ensure_secret(path: Path, owner: Owner, length: int = 32) -> tuple[str, bool]:
    """The secret kept in ``path`` (created 0600 with a new random value if missing).

    Returns ``(secret, changed)``; an existing secret is reused so what uses it keeps working."""
    if path.is_file():
        value = path.read_text().strip()
        if value:
            return value, _set_mode_and_owner(path, 0o600, owner)
    value = secrets.token_urlsafe(length)
    write_file(path, value + "\n", 0o600, owner)
    return value, True


def ensure_signing_key(path: Path, owner: Owner) -> bool:
    """The admin's ed25519 key that signs the PBX units' configuration (PKCS#8 PEM, 0600),
    made when missing; an existing one is kept (the units have pinned its public half)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.is_file() and path.stat().st_size:
        return _set_mode_and_owner(path, 0o600, owner)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_file(path, pem, 0o600, owner)
    return True


def write_public_key(private: Path, public: Path, owner: Owner) -> bool:
    """The public half of the ed25519 key in ``private`` as the agency reads it (its 32 raw
    bytes in base64, one line; 0640), rewritten when it no longer matches."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{private}: not an ed25519 key")
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return write_file(public, base64.b64encode(raw).decode() + "\n", 0o640, owner)


def _set_mode_and_owner(path: Path, mode: int, owner: Owner) -> bool:
    changed = False
    info = path.stat()
    if info.st_mode & 0o7777 != mode:
        path.chmod(mode)
        changed = True
    uid = -1 if owner.uid is None or owner.uid == info.st_uid else owner.uid
    gid = -1 if owner.gid is None or owner.gid == info.st_gid else owner.gid
    if uid != -1 or gid != -1:
        os.chown(path, uid, gid)
        changed = True
    return changed


def file_reason(exc: OSError) -> str:
    """Why a file could not be read, in the configurator's language (the OS says it in English)."""
    if isinstance(exc, FileNotFoundError):
        return _("there is no such file")
    if isinstance(exc, IsADirectoryError):
        return _("it is a directory, not a file")
    if isinstance(exc, PermissionError):
        return _("permission denied")
    return _("error {code}").format(code=exc.errno)
