"""Pause reasons and dispositions offered to operators, as the admin defines them.

The cache holds what :meth:`Database.work_codes` read last (the admin watch refreshes it); an
operator is offered the codes without groups and those of any of their groups. When no pause
reason is offered to an operator, they pause with free reasons (ACP's pattern), as before the
admin knew pause reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from appliance.agency.database import Database, WorkCodeRecord, WorkCodes


@dataclass(frozen=True)
class Offer:
    """What one operator is offered."""

    pause_reasons: tuple[WorkCodeRecord, ...] = ()
    dispositions: tuple[WorkCodeRecord, ...] = ()
    disposition_required: bool = False

    def pause_reason(self, code: str) -> WorkCodeRecord | None:
        return next((r for r in self.pause_reasons if r.code == code), None)

    def disposition(self, code: str) -> WorkCodeRecord | None:
        return next((d for d in self.dispositions if d.code == code), None)

    def to_acp(self, language: str) -> dict[str, Any]:
        """The ACP fields (``login.result``, ``work_codes``), names in ``language``."""
        return {
            "pause_reasons": [
                {**_names(r, language), "max_seconds": r.max_seconds} for r in self.pause_reasons
            ],
            "dispositions": [_names(d, language) for d in self.dispositions],
            "disposition_required": self.disposition_required,
        }


def _names(record: WorkCodeRecord, language: str) -> dict[str, Any]:
    names = {"ru": record.name_ru or record.name_en, "en": record.name_en or record.name_ru}
    return {"code": record.code, "name": name_in(record, language), "names": names}


def name_in(record: WorkCodeRecord, language: str) -> str:
    if language == "ru":
        return record.name_ru or record.name_en
    return record.name_en or record.name_ru


def offer_for(codes: WorkCodes, groups: Iterable[str]) -> Offer:
    mine = frozenset(groups)

    def offered(record: WorkCodeRecord) -> bool:
        return not record.groups or bool(record.groups & mine)

    return Offer(
        tuple(r for r in codes.pause_reasons if offered(r)),
        tuple(d for d in codes.dispositions if offered(d)),
        bool(codes.disposition_groups & mine),
    )


class WorkCodeCache:
    def __init__(self, store: Database) -> None:
        self.store = store
        self.codes = WorkCodes()

    async def refresh(self) -> bool:
        """Read the codes again; True when they changed."""
        codes = await self.store.work_codes()
        changed = codes != self.codes
        self.codes = codes
        return changed
