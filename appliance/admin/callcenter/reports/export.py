"""A report table as CSV (UTF-8 with a BOM, so spreadsheet programs read Cyrillic) or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .definitions import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # CSV/formula injection (OWASP)


def _safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in table.columns])
    for values in table.values():
        writer.writerow(["" if v is None else _safe_text(_plain(v)) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([str(c.label) for c in table.columns])
    for values in table.values():
        sheet.append([_safe_text(v) for v in values])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, len(str(column.label)) + 2))
        if column.kind == "datetime":
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value
