"""uzor-confgen: print one generated Asterisk file of this unit's configuration revision.

A unit's Asterisk runs it through ``#exec /usr/bin/uzor-confgen <file>`` (asterisk.conf
``execincludes = yes``). It asks the admin for the unit's current revision over HTTPS with
the unit's token, verifies the admin's ed25519 signature on the bundle with the key
``uzor-pbx-setup`` pinned (``signing_key``), the bundle's SHA-256 (and every sound's) and that
no line of a file starts with ``#`` (an Asterisk ``#exec`` or ``#include``), keeps it as the
last-good copy, and prints the file. An unsigned or wrongly signed bundle, an ``http://``
admin_url, or no pinned key are refused (contracts/bundle.py says what is signed). When the
admin cannot be reached, or what it sends does not verify, it prints the last-good copy, so an
Asterisk restart or reload never loses configuration (and a refused bundle never replaces it).

**One pass, one revision.** Asterisk reads a generated file many times at one start or reload
(pjsip.conf once per kind of PJSIP object), each read a run of this program. The first run of a
*pass* asks the admin (or takes the last-good copy) and records that revision as the pass's
(``pass.json`` in the cache directory: the bundle's SHA-256, the host's boot id, the monotonic
time); the next runs print that revision's files from the cache without asking. So a start
costs one request to the admin instead of one per read, a start or reload never mixes files of
two revisions, and an unreachable admin costs one wait per pass, not one per read. The pass
ends (``uzor-confgen --end-pass``, under the cache's lock) whenever a new revision may be due:

- **Apply Dialplan** makes the new revision in the admin, then, before its first ``Reload``,
  reads ``cli.conf`` over AMI (``GetConfig``); that file's ``#exec uzor-confgen --end-pass``
  ends the pass, and the reloads' first read begins a new one by asking the admin. Why an Apply
  is never served a stale revision: a pass begins with its request to the admin and its record
  written in one hold of the lock, and the end takes the same lock after the revision was made.
  A pass that began before the end is removed by it; one that begins after it asked the admin
  after the revision existed. This holds while Asterisk is still booting too (AMI answers
  before the modules are loaded, and Asterisk runs a reload asked for then at the end of its
  boot, inside the boot's pass: the end has already made that pass ask the admin again).
- **Every Asterisk start**, ``core restart now`` included (it re-executes Asterisk in the same
  process): Asterisk reads ``cli.conf`` for its startup commands before its core, before its
  modules and once fully booted, and never on a reload. A start never takes a pass of before
  (it asks the admin as it always did), and a reload after the boot asks again.
- **PASS_TTL** (20 s) bounds a pass nothing ended: a reload started by hand on the unit begins
  a pass that lasts at most that long. A pass is also over when its record is of another boot
  of the host or names a bundle that is no longer the last-good one.

The one case a pass outlives a new revision: an Apply that cannot reach the unit's AMI (so
cannot end its pass) reports the unit failed, and a reload by hand within PASS_TTL after a
pass began still prints the pass's revision; the next Apply, or the next start, asks again.

A run that prints a file of the pass imports nothing for TLS or HTTP, nor argparse or
dataclasses (``main`` reads an ``#exec`` line's arguments itself): it costs little more than
starting Python, and a start has about sixteen of them.

It uses only the Python standard library, because PBX units have nothing but ``python3``:
``appliance/pbx/build.py`` makes the installed ``/usr/bin/uzor-confgen`` (one file) from this
module with the bundle format (``appliance/contracts/bundle.py``, which the admin uses too) and
the ed25519 verifier (``appliance/contracts/ed25519.py``: pure Python, so the unit needs no
``openssl`` binary, no temporary files and no subprocess for it) inlined in place of their
imports. Asterisk mixes the command's stderr into the configuration, so
errors go to a log file in the cache directory and, as ``;`` comment lines, to stdout.

Configuration (``/etc/uzor/confgen.yaml``, or ``--config``; a flat ``key: value`` file)::

    admin_url: https://uzor.example/admin/confgen   # required, https only
    unit: pbx1                                      # required
    token_file: /etc/uzor/secrets/confgen_token     # default
    signing_key: /etc/asterisk/uzor/admin-signing-key  # default: the admin's public key
    cache_dir: /var/lib/uzor-confgen                # default
    tls_verify: true                                # default; false needs insecure: true
    insecure: false                                 # default; true is logged on every request
    ca_file: /etc/uzor/admin-ca.pem                 # optional
    timeout: 5                                      # seconds, default

``uzor-confgen --voicemail <file.wav> --topic <number>`` uploads a message a call flow recorded
(the dialplan runs it from a hangup handler) and deletes it once the admin has stored it. A
message whose upload failed stays (with its topic in ``<message>.topic``) and is sent again
after a later upload or configuration fetch has reached the admin.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TextIO

# Imported where they are used (the admin is asked once per pass; most runs print a file of
# the pass's revision from the cache and never need them): ssl, socket, tempfile, urllib; and
# argparse only for a command line other than an #exec line's (see main).
if TYPE_CHECKING:
    import ssl

# The bundle format, shared with the admin; build.py inlines the module here (one import only).
from appliance.contracts.bundle import (
    CONFGEN_PLACEHOLDER,
    FILE_NAME_RE,
    HOST_ADDRESSES_RE,
    MAX_BUNDLE,
    MAX_RECORDING,
    MAX_SOUND,
    MAX_VOICEMAIL,
    RECORDING_NAME_RE,
    RECORDINGS_PLACEHOLDER,
    SOUNDS_PLACEHOLDER,
    VOICEMAIL_NAME_RE,
    VOICEMAIL_PLACEHOLDER,
    BundleError,
    check_bundle,
    public_key_from_text,
    sha256_hex,
    signature_from_text,
    signed_message,
)

# The verifier of the admin's signature (stdlib only); build.py inlines it too.
from appliance.contracts.ed25519 import ed25519_verify

DEFAULT_CONFIG = Path("/etc/uzor/confgen.yaml")
CONFIG_ENV = "UZOR_CONFGEN_CONFIG"
LOG_LIMIT = 1024 * 1024
PASS_FILE = "pass.json"  # noqa: S105 - a file name, not a password
PASS_TTL = 20.0  # seconds: the longest a pass nothing ended lasts (a start takes a few)
PENDING_AGE = 120  # seconds: a message untouched this long is no longer being recorded
PENDING_PER_RUN = 20

EXIT_OK, EXIT_NO_CONFIG, EXIT_USAGE = 0, 2, 64


class ConfgenError(Exception):
    """Something is wrong; str() is one line saying what."""


class Settings(NamedTuple):  # not a dataclass: importing dataclasses is ~10 % of a run
    admin_url: str
    unit: str
    token_file: Path = Path("/etc/uzor/secrets/confgen_token")
    signing_key: Path = Path("/etc/asterisk/uzor/admin-signing-key")
    cache_dir: Path = Path("/var/lib/uzor-confgen")
    tls_verify: bool = True
    insecure: bool = False
    ca_file: Path | None = None
    timeout: float = 5.0

    @property
    def sounds_dir(self) -> Path:
        return self.cache_dir / "sounds"

    @property
    def voicemail_dir(self) -> Path:
        return self.cache_dir / "voicemail"

    @property
    def recordings_dir(self) -> Path:
        return self.cache_dir / "recordings"


def verified(data: bytes, expected_sha256: str, unit: str) -> dict[str, Any]:
    """The bundle ``data`` checked with the shared format (contracts/bundle.py)."""
    try:
        return check_bundle(data, expected_sha256, unit)
    except BundleError as exc:
        raise ConfgenError(str(exc)) from exc


def pinned_key(settings: Settings) -> bytes:
    """The admin's public key uzor-pbx-setup pinned on this unit."""
    try:
        text = settings.signing_key.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a key"
        raise ConfgenError(
            f"{settings.signing_key}: no admin signing key pinned on this unit ({reason}), so "
            "no bundle can be trusted; run uzor-pbx-setup again to pin the admin's key"
        ) from exc
    try:
        return public_key_from_text(text)
    except BundleError as exc:
        raise ConfgenError(f"{settings.signing_key}: {exc}") from exc


def check_signature(data: bytes, signature: str, key: bytes) -> None:
    """Refuse a bundle the admin's pinned key did not sign."""
    if not signature:
        raise ConfgenError("the bundle is not signed (an admin of an earlier version?): refused")
    try:
        raw = signature_from_text(signature)
    except BundleError as exc:
        raise ConfgenError(str(exc)) from exc
    if not ed25519_verify(key, signed_message(data), raw):
        raise ConfgenError("the bundle's signature is not the pinned admin key's: refused")


# -- configuration ---------------------------------------------------------------------------


def parse_settings(text: str, source: str) -> Settings:
    """A flat YAML mapping: ``key: value`` lines, ``#`` comments; unknown keys refused."""
    values: dict[str, Any] = {}
    fields = Settings._fields
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), _strip_comment(value.strip())
        if not sep or key not in fields:
            raise ConfgenError(f"{source}:{number}: unknown key {key!r}")
        values[key] = _convert(key, _unquote(value), source, number)
    for required in ("admin_url", "unit"):
        if required not in values:
            raise ConfgenError(f"{source}: missing key {required!r}")
    if not values["admin_url"].startswith(("http://", "https://")):
        raise ConfgenError(f"{source}: admin_url must start with https://")
    return Settings(**values)


def refuse_insecure(settings: Settings) -> None:
    """Refuse to talk to the admin in a way anyone on the way could read or pose as it. Only
    the talking is refused: a unit set up that way keeps printing its last good copy."""
    if not settings.admin_url.startswith("https://"):
        raise ConfgenError(
            "admin_url must start with https:// (over http:// the unit token and the "
            "configuration's passwords would travel in clear): refused"
        )
    if not settings.tls_verify and not settings.insecure:
        raise ConfgenError(
            "tls_verify: false needs insecure: true as well (anyone on the way could pose as "
            "the admin); give the admin's certificate as ca_file instead"
        )


def _strip_comment(value: str) -> str:
    return value.split(" #", 1)[0].strip() if not value.startswith(("'", '"')) else value


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _convert(key: str, value: str, source: str, number: int) -> Any:
    if key in ("tls_verify", "insecure"):
        if value.lower() not in ("true", "false", "yes", "no"):
            raise ConfgenError(f"{source}:{number}: {key} must be true or false")
        return value.lower() in ("true", "yes")
    if key == "timeout":
        try:
            return float(value)
        except ValueError:
            raise ConfgenError(f"{source}:{number}: timeout must be a number of seconds") from None
    if key in ("token_file", "signing_key", "cache_dir", "ca_file"):
        return Path(value)
    return value


def load_settings(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfgenError(
            f"{path}: cannot read the confgen configuration ({exc.strerror})"
        ) from exc
    return parse_settings(text, str(path))


# -- talking to the admin --------------------------------------------------------------------


class AdminClient:
    def __init__(self, settings: Settings, log: Log | None = None) -> None:
        import urllib.parse

        refuse_insecure(settings)
        self.settings = settings
        self.base = settings.admin_url.rstrip("/") + "/" + urllib.parse.quote(settings.unit)
        self.token = _read_token(settings.token_file)
        self.context = _tls_context(settings)
        if not settings.tls_verify and log is not None:
            log.write(
                "INSECURE: the admin's TLS certificate is not verified (tls_verify: false, "
                "insecure: true); anyone on the way can pose as the admin"
            )

    def get(self, path: str, limit: int) -> bytes:
        import urllib.error
        import urllib.request

        url = f"{self.base}/{path}"  # https only: refuse_insecure refuses other schemes
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})  # noqa: S310
        try:
            opened = urllib.request.urlopen(  # noqa: S310
                request, timeout=self.settings.timeout, context=self.context
            )
            with opened as response:
                data = bytes(response.read(limit + 1))
        except urllib.error.HTTPError as exc:
            raise ConfgenError(f"admin answered {exc.code} for {path}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConfgenError(f"admin unreachable at {self.base}: {reason}") from exc
        if len(data) > limit:
            raise ConfgenError(f"{path}: answer larger than {limit} bytes")
        return data

    def post(self, path: str, data: bytes | BinaryIO, headers: dict[str, str]) -> bytes:
        """POST ``data`` (bytes, or an open file sent as it is read: give Content-Length)."""
        import urllib.error
        import urllib.request

        url = f"{self.base}/{path}"
        request = urllib.request.Request(  # noqa: S310 - https only, see refuse_insecure
            url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "audio/wav",
                **headers,
            },
        )
        try:
            opened = urllib.request.urlopen(  # noqa: S310
                request, timeout=max(self.settings.timeout, 30), context=self.context
            )
            with opened as response:
                return bytes(response.read(4096))
        except urllib.error.HTTPError as exc:
            raise ConfgenError(f"admin answered {exc.code} for {path}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConfgenError(f"admin unreachable at {self.base}: {reason}") from exc

    def current(self) -> tuple[int, str, str]:
        """(revision, SHA-256, signature) of the unit's current revision; the signature is
        empty when the admin sent none."""
        try:
            answer = json.loads(self.get("current", 4096))
            signature = answer.get("signature") or ""
            return int(answer["revision"]), str(answer["sha256"]), str(signature)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfgenError(f"bad answer to 'current': {exc}") from exc


def _read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfgenError(f"{path}: cannot read the unit token ({exc.strerror})") from exc
    if not token:
        raise ConfgenError(f"{path}: the unit token file is empty")
    return token


def _tls_context(settings: Settings) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not settings.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


# -- the cache -------------------------------------------------------------------------------


class Cache:
    """Verified bundles, content-addressed (``bundles/<sha256>.json`` plus a per-file copy in
    ``bundles/<sha256>.d/``), the ``last-good.sha256`` marker naming the last-good one, and the
    sounds. Switching the marker is one atomic rename, so a crash never leaves a half-written
    last-good copy."""

    def __init__(self, settings: Settings) -> None:
        self.dir = settings.cache_dir
        self.bundles = self.dir / "bundles"
        self.sounds = settings.sounds_dir
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o750)
        self.bundles.mkdir(exist_ok=True, mode=0o750)
        self.sounds.mkdir(exist_ok=True, mode=0o755)
        settings.recordings_dir.mkdir(exist_ok=True, mode=0o750)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with open(self.dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def last_good_sha256(self) -> str | None:
        try:
            value = (self.dir / "last-good.sha256").read_text().strip()
        except FileNotFoundError:
            return None
        return value if re.fullmatch(r"[0-9a-f]{64}", value) else None

    def last_good(self, unit: str) -> dict[str, Any] | None:
        """The last-good bundle, verified again (None when there is none yet)."""
        sha256 = self.last_good_sha256()
        if sha256 is None:
            return None
        try:
            data = (self.bundles / f"{sha256}.json").read_bytes()
        except FileNotFoundError:
            raise ConfgenError(f"the last-good bundle {sha256} is missing") from None
        return verified(data, sha256, unit)

    def cached_file(self, sha256: str, name: str) -> tuple[int, str] | None:
        """(revision, text) of one file of a promoted bundle from its per-file copy, checked
        against the copy's index; None when the copy is missing or does not match."""
        copies = self.bundles / f"{sha256}.d"
        try:
            index = json.loads((copies / "index.json").read_text())
            data = (copies / name).read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(index, dict) or index.get("files", {}).get(name) != sha256_hex(data):
            return None
        return int(index["revision"]), data.decode()

    def promote(self, data: bytes, sha256: str, bundle: dict[str, Any]) -> None:
        """Make a verified bundle the last-good one (the marker switches last)."""
        copies = self.bundles / f"{sha256}.d"
        copies.mkdir(exist_ok=True, mode=0o750)
        hashes = {}
        for name, text in bundle["files"].items():
            encoded = str(text).encode()
            _atomic_write(copies / name, encoded)
            hashes[name] = sha256_hex(encoded)
        index = {"revision": bundle["revision"], "files": hashes}
        _atomic_write(copies / "index.json", json.dumps(index).encode())
        _atomic_write(self.bundles / f"{sha256}.json", data)
        _atomic_write(self.dir / "last-good.sha256", sha256.encode() + b"\n")
        self._prune(keep=sha256)

    def _prune(self, keep: str) -> None:
        for path in self.bundles.iterdir():
            if path.name.split(".")[0] != keep:
                with contextlib.suppress(OSError):
                    if path.is_dir():
                        for child in path.iterdir():
                            child.unlink()
                        path.rmdir()
                    else:
                        path.unlink()

    # -- the pass (see the module's docstring) --

    def pass_sha256(self) -> str | None:
        """The SHA-256 of the revision the current pass reads; None when no pass is going on
        (none began, it was ended, it is older than PASS_TTL or of an earlier boot of the host,
        or its bundle is no longer the last-good one)."""
        try:
            record = json.loads((self.dir / PASS_FILE).read_text())
            sha256, boot, began = record["sha256"], record["boot"], float(record["began"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if boot != _boot_id() or not 0 <= time.monotonic() - began <= PASS_TTL:
            return None
        return sha256 if sha256 == self.last_good_sha256() else None

    def begin_pass(self, sha256: str) -> None:
        """The revision ``sha256`` is the one this pass reads (hold the lock: see end_pass)."""
        record = {"sha256": sha256, "boot": _boot_id(), "began": time.monotonic()}
        (self.dir / PASS_FILE).write_text(json.dumps(record) + "\n")

    def end_pass(self) -> bool:
        """End the pass, if one is going on: the next read asks the admin. Hold the lock: a pass
        that began before the end then asked the admin before it (and is removed here), one
        that begins after it asks the admin after it."""
        try:
            (self.dir / PASS_FILE).unlink()
        except FileNotFoundError:
            return False
        return True

    def has_sound(self, name: str, sha256: str) -> bool:
        path = self.sounds / name
        return path.exists() and sha256_hex(path.read_bytes()) == sha256

    def store_sound(self, name: str, data: bytes) -> None:
        _atomic_write(self.sounds / name, data, mode=0o644)


def _boot_id() -> str:
    """The kernel's id of this boot of the host ("" when it cannot be read): a pass recorded
    with another one is not taken, whatever its monotonic time says."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _atomic_write(path: Path, data: bytes, mode: int = 0o640) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# -- the work --------------------------------------------------------------------------------


def fetch_current(client: AdminClient, cache: Cache, unit: str) -> str:
    """Make the unit's current revision (signed with the pinned key, verified, with its sounds)
    the last-good one; return its SHA-256. Cheap when the cache already holds it: one small
    request."""
    number, sha256, signature = client.current()
    if sha256 == cache.last_good_sha256():
        return sha256
    data = client.get(f"revisions/{number}", MAX_BUNDLE)
    # before anything reads what the bytes say
    check_signature(data, signature, pinned_key(client.settings))
    bundle = verified(data, sha256, unit)
    if bundle.get("revision") != number:
        raise ConfgenError(f"asked for revision {number}, got {bundle.get('revision')}")
    for name, sound_sha256 in sorted(bundle["sounds"].items()):
        if cache.has_sound(name, sound_sha256):
            continue
        sound = client.get(f"sounds/{name}", MAX_SOUND)
        if sha256_hex(sound) != sound_sha256:
            raise ConfgenError(f"sound {name}: SHA-256 mismatch (changed since the revision?)")
        cache.store_sound(name, sound)
    cache.promote(data, sha256, bundle)
    return sha256


def read_file(cache: Cache, sha256: str, name: str, unit: str) -> tuple[int, str]:
    """(revision, text) of a file of the promoted bundle ``sha256``."""
    cached = cache.cached_file(sha256, name)
    if cached is not None:
        return cached
    bundle = cache.last_good(unit)  # the per-file copy is damaged: verify the whole bundle
    if bundle is None or name not in bundle["files"]:
        revision = bundle.get("revision") if bundle else "-"
        raise ConfgenError(f"revision {revision} has no file {name!r}")
    return int(bundle["revision"]), str(bundle["files"][name])


def render_file(
    text: str, settings: Settings, config: Path | None = None, log: Log | None = None
) -> str:
    text = text.replace(SOUNDS_PLACEHOLDER, str(settings.sounds_dir))
    text = text.replace(VOICEMAIL_PLACEHOLDER, str(settings.voicemail_dir))
    text = text.replace(RECORDINGS_PLACEHOLDER, str(settings.recordings_dir))
    if config is not None:
        text = text.replace(CONFGEN_PLACEHOLDER, f"{own_command()} --config {config.resolve()}")
    text = HOST_ADDRESSES_RE.sub(lambda match: _host_address_lines(match, log), text)
    return text if text.endswith("\n") else text + "\n"


def _host_address_lines(match: re.Match[str], log: Log | None) -> str:
    """One ``permit = <address>/32`` line per IPv4 address of a gateway's host name, resolved
    here on the unit each time Asterisk reads the file; none (a comment) when it does not
    resolve, so the ACL lets nothing in for it rather than failing the whole file."""
    import socket

    key, host = match.group("key"), match.group("host")
    try:
        found = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        found = []
    addresses = sorted({str(info[4][0]) for info in found})
    if not addresses:
        if log is not None:
            log.write(f"{host} does not resolve: the SIP ACL lets nothing in from it")
        return f"; uzor-confgen: {host} does not resolve"
    return "\n".join(f"{key} = {address}/32" for address in addresses)


def own_command() -> str:
    """How to run this program again: the built one-file program by its path (isolated from
    the environment, as its ``#!`` line), the package module with ``-m``."""
    if __package__:
        return f"{sys.executable} -I -m {__name__}"
    return f"{sys.executable} -I {Path(__file__).resolve()}"


def begin_pass(settings: Settings, cache: Cache, name: str, log: Log) -> tuple[str, bool]:
    """Begin a pass (hold the cache's lock): the admin's current revision, or the last-good one
    when the admin cannot be reached or what it sends does not verify. (Its SHA-256, whether
    the admin answered.)"""
    try:
        sha256 = fetch_current(AdminClient(settings, log), cache, settings.unit)
        reached = True
    except ConfgenError as exc:
        log.write(f"{name}: {exc}; using the last-good copy")
        last_good = cache.last_good_sha256()
        if last_good is None:
            raise ConfgenError(f"{exc}; and no last-good copy yet") from exc
        sha256, reached = last_good, False
    cache.begin_pass(sha256)
    return sha256, reached


def produce(settings: Settings, name: str, log: Log, config: Path | None = None) -> str:
    cache = Cache(settings)
    reached = False
    with cache.locked():
        sha256 = cache.pass_sha256()
        if sha256 is not None:
            revision, text = read_file(cache, sha256, name, settings.unit)
            log.write(f"{name}: revision {revision} of this pass")
        else:
            sha256, reached = begin_pass(settings, cache, name, log)
            revision, text = read_file(cache, sha256, name, settings.unit)
            got = "from the admin" if reached else "last-good"
            log.write(f"{name}: revision {revision} {got} (a new pass)")
    if reached:  # the admin answers again: messages an earlier upload left go now
        upload_pending_voicemail(settings, log)
        upload_pending_recordings(settings, log)
    return render_file(text, settings, config, log)


def upload_voicemail(settings: Settings, path: Path, topic: str, log: Log) -> None:
    """Send one recorded message to the admin; delete it once stored there. A message whose
    caller hung up before the recording started does not exist: nothing to do."""
    import urllib.parse

    path = Path(os.path.abspath(path))
    root = settings.voicemail_dir.resolve()
    if path.parent.parent != root or not path.name.endswith(".wav"):
        raise ConfgenError(f"{path}: not a voicemail file under {root}")
    match = VOICEMAIL_NAME_RE.match(path.name)
    if not match:
        raise ConfgenError(f"{path.name}: not a voicemail file name")
    if not path.exists():
        log.write(f"voicemail {path.name}: nothing recorded")
        return
    data = path.read_bytes()
    if len(data) > MAX_VOICEMAIL:
        raise ConfgenError(f"{path.name}: larger than {MAX_VOICEMAIL} bytes")
    recorded = time.mktime(time.strptime(match.group(1), "%Y%m%d-%H%M%S"))
    headers = {"X-Uzor-Caller": match.group(2), "X-Uzor-Recorded": str(int(recorded))}
    if re.fullmatch(r"[0-9]{1,32}", topic or ""):
        headers["X-Uzor-Topic"] = topic
    mailbox = path.parent.name
    AdminClient(settings, log).post(f"voicemail/{urllib.parse.quote(mailbox)}", data, headers)
    path.unlink()
    log.write(f"voicemail {path.name}: uploaded for mailbox {mailbox}")


def keep_for_retry(settings: Settings, path: Path, topic: str) -> None:
    """A failed upload: remember the message's topic next to it for the retry."""
    path = Path(os.path.abspath(path))
    ours = path.parent.parent == settings.voicemail_dir.resolve()
    if ours and VOICEMAIL_NAME_RE.match(path.name) and re.fullmatch(r"[0-9]{1,32}", topic or ""):
        path.with_suffix(".topic").write_text(topic + "\n", encoding="ascii")


def _retry_pending(
    root: Path,
    *,
    pattern: str,
    name_re: re.Pattern[str],
    what: str,
    send: Callable[[Path], None],
    log: Log,
    now: float | None,
) -> int:
    """Send again, with ``send``, the files under ``root`` (``pattern``, names ``name_re``)
    untouched for PENDING_AGE seconds that earlier uploads left; the number sent. One run at a
    time (a lock file); stops at the first "unreachable" (the next run tries again)."""
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    sent = 0
    with (root / ".retry.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another run is retrying them
        pending = [p for p in sorted(root.glob(pattern)) if name_re.match(p.name)]
        for path in pending[:PENDING_PER_RUN]:
            try:
                if now - path.stat().st_mtime < PENDING_AGE:
                    continue
                send(path)
                sent += 1
            except (ConfgenError, OSError) as exc:
                log.write(f"{what} {path.name}: retry FAILED: {exc}")
                if "unreachable" in str(exc):
                    break
    return sent


def upload_pending_voicemail(settings: Settings, log: Log, now: float | None = None) -> int:
    """Send again the messages earlier uploads left on the unit; the number sent. Run after
    the admin answered."""

    def send(path: Path) -> None:
        sidecar = path.with_suffix(".topic")
        topic = sidecar.read_text(encoding="ascii").strip() if sidecar.exists() else ""
        upload_voicemail(settings, path, topic, log)
        sidecar.unlink(missing_ok=True)

    return _retry_pending(
        settings.voicemail_dir,
        pattern="*/*.wav",
        name_re=VOICEMAIL_NAME_RE,
        what="voicemail",
        send=send,
        log=log,
        now=now,
    )


def recording_file(settings: Settings, path: Path) -> tuple[Path, re.Match[str]]:
    """``path`` checked as a recording MixMonitor made in this unit's recordings directory."""
    path = Path(os.path.abspath(path))
    root = settings.recordings_dir.resolve()
    match = RECORDING_NAME_RE.match(path.name)
    if path.parent != root or match is None:
        raise ConfgenError(f"{path}: not a call recording under {root}")
    return path, match


def upload_recording(settings: Settings, path: Path, log: Log) -> None:
    """Send one finished recording to the admin (streamed, with its SHA-256); delete it once the
    admin has stored it. The admin keeps one recording per unit and leg, so a retry after a lost
    answer never makes a second one. A call that never got bridged left no file: nothing to do."""
    path, match = recording_file(settings, path)
    if not path.exists():
        log.write(f"recording {path.name}: nothing recorded")
        return
    size = path.stat().st_size
    if size > MAX_RECORDING:
        raise ConfgenError(f"{path.name}: larger than {MAX_RECORDING} bytes")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    started, call_id, uniqueid, direction, topic, agent = match.groups()
    headers = {
        "Content-Length": str(size),
        "X-Uzor-Call-Id": call_id,
        "X-Uzor-Uniqueid": uniqueid,
        "X-Uzor-Direction": direction,
        "X-Uzor-Topic": topic,
        "X-Uzor-Agent": agent,
        "X-Uzor-Started": started,
        "X-Uzor-Sha256": digest.hexdigest(),
    }
    with path.open("rb") as handle:
        AdminClient(settings, log).post("recordings", handle, headers)
    path.unlink()
    log.write(f"recording {path.name}: uploaded ({size} bytes)")


def upload_pending_recordings(settings: Settings, log: Log, now: float | None = None) -> int:
    """Send again the recordings earlier uploads left on the unit (MixMonitor has closed a file
    untouched for PENDING_AGE seconds); the number sent."""
    return _retry_pending(
        settings.recordings_dir,
        pattern="*.wav",
        name_re=RECORDING_NAME_RE,
        what="recording",
        send=lambda path: upload_recording(settings, path, log),
        log=log,
        now=now,
    )


class Log:
    """Append-only log in the cache directory (never stderr: Asterisk would parse it)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, message: str) -> None:
        if self.path is None:
            return
        with contextlib.suppress(OSError):
            if self.path.exists() and self.path.stat().st_size > LOG_LIMIT:
                os.replace(self.path, self.path.with_suffix(".log.1"))
            with self.path.open("a", encoding="utf-8") as handle:
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
                handle.write(f"{stamp} uzor-confgen[{os.getpid()}] {message}\n")


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    args = sys.argv[1:] if argv is None else argv
    exec_line = _exec_line_args(args)
    if exec_line is not None:  # what Asterisk runs, many times per start: no argparse
        config, what = exec_line
        if what == "--end-pass":
            return _end_pass(config, Log(None))
        return _print_file(config, what, out)
    import argparse

    parser = argparse.ArgumentParser(prog="uzor-confgen", description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="generated file to print, e.g. pjsip.conf")
    parser.add_argument("--config", type=Path, help=f"default ${CONFIG_ENV} or {DEFAULT_CONFIG}")
    parser.add_argument("--voicemail", type=Path, help="upload this recorded message")
    parser.add_argument("--topic", default="", help="the topic number of the message")
    parser.add_argument("--recording", type=Path, help="upload this finished call recording")
    parser.add_argument(
        "--pending-recordings",
        action="store_true",
        help="upload the recordings earlier uploads left (run by uzor-pbx-recordings.timer)",
    )
    parser.add_argument(
        "--end-pass",
        action="store_true",
        help="end the pass: the next file read asks the admin (cli.conf runs it)",
    )
    parsed = parser.parse_args(args)
    config = parsed.config or _default_config()
    log = Log(None)
    if parsed.end_pass:
        return _end_pass(config, log)
    if parsed.recording is not None or parsed.pending_recordings:
        return _recordings(config, parsed.recording, log)
    if parsed.voicemail is not None:
        return _voicemail(config, parsed.voicemail, parsed.topic)
    if not parsed.file:
        parser.error(
            "name a generated file, --voicemail, --recording, --pending-recordings or --end-pass"
        )
    return _print_file(config, parsed.file, out)


def _voicemail(config: Path, path: Path, topic: str) -> int:
    """Upload one recorded message (the call flow's hangup handler), then whatever earlier
    uploads left; a failed upload keeps the message, with its topic, for a later run."""
    log, settings = Log(None), None
    try:
        settings = load_settings(config)
        log = Log(settings.cache_dir / "confgen.log")
        upload_voicemail(settings, path, topic, log)
    except (ConfgenError, OSError) as exc:
        log.write(f"voicemail {path}: FAILED: {exc}")
        with contextlib.suppress(OSError):
            if settings is not None:
                keep_for_retry(settings, path, topic)
        return EXIT_NO_CONFIG
    upload_pending_voicemail(settings, log)
    return EXIT_OK


def _exec_line_args(args: list[str]) -> tuple[Path, str] | None:
    """(config, file name or ``--end-pass``) of the command lines Asterisk's ``#exec`` lines
    use, ``[--config PATH] NAME`` and ``[--config PATH] --end-pass``, read without argparse
    (importing and setting it up is a fifth of such a run); None for any other."""
    config = None
    if len(args) >= 2 and args[0] == "--config":
        config, args = Path(args[1]), args[2:]
    if len(args) != 1 or (args[0].startswith("-") and args[0] != "--end-pass"):
        return None
    return config or _default_config(), args[0]


def _default_config() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def _print_file(config: Path, name: str, out: TextIO) -> int:
    log = Log(None)
    try:
        settings = load_settings(config)
        log = Log(settings.cache_dir / "confgen.log")
        if not FILE_NAME_RE.match(name):
            raise ConfgenError(f"not a generated file name: {name!r}")
        out.write(produce(settings, name, log, config))
    except (ConfgenError, OSError) as exc:
        log.write(f"{name}: FAILED: {exc}")
        out.write(f"; uzor-confgen: {one_line(str(exc))}\n")
        return EXIT_NO_CONFIG
    return EXIT_OK


def _end_pass(config: Path, log: Log) -> int:
    """End the pass (Asterisk reads cli.conf at every start and Apply Dialplan before its
    reloads: see the module's docstring). Prints nothing: cli.conf takes no lines from it."""
    try:
        settings = load_settings(config)
        log = Log(settings.cache_dir / "confgen.log")
        cache = Cache(settings)
        with cache.locked():
            ended = cache.end_pass()
        log.write("the pass ended" if ended else "no pass to end")
    except (ConfgenError, OSError) as exc:
        log.write(f"end of the pass: FAILED: {exc}")
        return EXIT_NO_CONFIG
    return EXIT_OK


def _recordings(config: Path, recording: Path | None, log: Log) -> int:
    """Upload one finished recording (MixMonitor's command), then whatever earlier runs left;
    a failed upload leaves the file for the next run."""
    try:
        settings = load_settings(config)
        log = Log(settings.cache_dir / "confgen.log")
        if recording is not None:
            upload_recording(settings, recording, log)
        upload_pending_recordings(settings, log)
    except (ConfgenError, OSError) as exc:
        log.write(f"recording {recording or '(pending)'}: FAILED: {exc}")
        return EXIT_NO_CONFIG
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
