"""Apply Dialplan: render a new revision per unit, reload the units over AMI, read back.

For every enabled unit, concurrently: log in to AMI, have the unit end uzor-confgen's pass
(``GetConfig`` of ``cli.conf``, whose ``#exec uzor-confgen --end-pass`` does it: the files of
one start or reload all come from the revision the pass's first read got, and without this end
the reloads could be served the revision of a start or reload that began before this Apply made
the new one; appliance/pbx/confgen.py says why this is enough), reload the modules whose
configuration uzor-confgen generates (never ``core restart``), then read the dialplan global
``UZOR_REVISION`` to learn which revision the unit now runs. A unit that is down, refuses the
login or runs another revision afterwards is reported failed with the reason; it keeps its
last good configuration (uzor-confgen only promotes a verified revision) and does not stop the
others. Applying again later heals it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .ami import AmiClient, AmiError
from .dialplan import create_revisions
from .license_status import check_apply_allowed
from .models import PbxUnit, note_change

log = logging.getLogger("uzor.apply")

# Order matters: hold music and endpoints before the queues that use them, the feature codes
# (features.conf, Asterisk's built-in "features") before the dialplan, the dialplan last (its
# UZOR_REVISION then tells that everything before it was reloaded).
RELOAD_MODULES = ("res_musiconhold.so", "res_pjsip.so", "app_queue.so", "features", "pbx_config.so")
# Asterisk reads it at every start and never on a reload; its #exec ends uzor-confgen's pass.
CLI_CONF = "cli.conf"
AMI_TIMEOUT = 20.0  # per AMI action; gunicorn (60 s) must outlast one Apply
MAX_PARALLEL = 8


@dataclass(frozen=True)
class UnitTarget:
    """What a worker thread needs (no ORM objects cross threads)."""

    pk: int
    name: str
    host: str
    port: int
    user: str
    secret: str
    revision: int
    tls_certificate: str = ""  # the unit's pinned AMI certificate (PEM); empty: plain TCP


@dataclass(frozen=True)
class UnitResult:
    unit: str
    ok: bool
    revision: int
    running: int | None
    message: str


def apply_dialplan(
    units: Iterable[PbxUnit] | QuerySet[PbxUnit] | None = None,
    created_by: str = "",
    timeout: float = AMI_TIMEOUT,
) -> list[UnitResult]:
    """Apply on the given units (default: all); disabled units are skipped. Raises
    RenderError (nothing created, nothing reloaded) when the model cannot be rendered, and
    LicenseLimitError (nothing either) when more units are enabled than the license allows."""
    chosen = PbxUnit.objects.all() if units is None else units
    enabled = sorted((u for u in chosen if u.enabled), key=lambda u: u.name)
    if not enabled:
        return []
    check_apply_allowed(PbxUnit.objects.filter(enabled=True).count())
    revisions = create_revisions(enabled, created_by)
    targets = [
        UnitTarget(
            u.pk,
            u.name,
            u.address,
            u.ami_port,
            u.ami_user,
            u.ami_secret,
            revisions[u.pk].number,
            u.ami_tls_certificate,
        )
        for u in enabled
    ]
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(targets))) as pool:
        results = list(pool.map(lambda t: reload_unit(t, timeout), targets))
    for target, result in zip(targets, results, strict=True):
        _store(target, result)
    note_change()  # the agency re-reads the units and topics now, not at its next full refresh
    return results


def reload_unit(target: UnitTarget, timeout: float = AMI_TIMEOUT) -> UnitResult:
    try:
        running = _reload_and_read_back(target, timeout)
    except AmiError as exc:
        log.warning("apply on unit %s failed: %s", target.name, exc)
        return UnitResult(target.name, False, target.revision, None, str(exc))
    if running is not None and running > target.revision:  # a later Apply overtook this one
        return UnitResult(target.name, True, target.revision, running, _("applied"))
    if running != target.revision:
        message = _(
            "after the reload the unit runs revision %(running)s, not %(revision)s: it did not "
            "take the new configuration (see /var/lib/uzor-confgen/confgen.log on the unit; a "
            "unit set up before configuration was signed needs uzor-pbx-setup again); it keeps "
            "its last good one"
        ) % {"running": running if running is not None else "-", "revision": target.revision}
        return UnitResult(target.name, False, target.revision, running, message)
    return UnitResult(target.name, True, target.revision, running, _("applied"))


def _reload_and_read_back(target: UnitTarget, timeout: float) -> int | None:
    with AmiClient(target.host, target.port, timeout, target.tls_certificate) as ami:
        ami.login(target.user, target.secret)
        _end_pass(ami, target)
        for module in RELOAD_MODULES:
            response = ami.action("Reload", Module=module)
            if response.get("Response") != "Success":
                # the unit's own words go to the log only (quoted): any host could send them
                log.warning(
                    "unit %s refused to reload %s: %r",
                    target.name,
                    module,
                    response.get("Message", "")[:200],
                )
                raise AmiError(
                    _("the unit at %(address)s refused to reload %(module)s (see its Asterisk log)")
                    % {"address": ami.address, "module": module}
                )
        answer = ami.action("Getvar", Variable="UZOR_REVISION")
    value = answer.get("Value", "") if answer.get("Response") == "Success" else ""
    return int(value) if value.isdigit() else None


def _end_pass(ami: AmiClient, target: UnitTarget) -> None:
    """Have the unit's uzor-confgen end its pass, so the reloads' first read asks the admin."""
    response = ami.action("GetConfig", Filename=CLI_CONF)
    if response.get("Response") != "Success":
        log.warning(
            "unit %s could not read %s: %r",
            target.name,
            CLI_CONF,
            response.get("Message", "")[:200],
        )
        raise AmiError(
            _(
                "the unit at %(address)s could not read %(file)s, which makes uzor-confgen ask "
                "the admin for the new revision (see its Asterisk log)"
            )
            % {"address": ami.address, "file": CLI_CONF}
        )


def _store(target: UnitTarget, result: UnitResult) -> None:
    """Record the outcome on the unit (a plain UPDATE: no history entry, no validation)."""
    fields: dict[str, object] = {
        "last_apply_at": timezone.now(),
        "last_apply_ok": result.ok,
        "last_apply_message": f"{result.revision}: {result.message}"[:2000],
    }
    if result.running is not None:
        fields["applied_revision"] = result.running
    PbxUnit.objects.filter(pk=target.pk).update(**fields)
