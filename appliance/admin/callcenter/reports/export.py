"""A report table as CSV (UTF-8 with a BOM, so spreadsheet programs read Cyrillic) or XLSX."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from .definitions import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # CSV/formula injection (OWASP)


NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9 ().-]*")  # a phone number such as +7 916 ... is data


def _safe_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not NUMBER_LIKE.fullmatch(value)
    ):
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
    """A write-only workbook (streamed rows: a long list exports in seconds, not minutes)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    for index, column in enumerate(table.columns, start=1):
        width = max(10, min(40, len(str(column.label)) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([str(c.label) for c in table.columns])
    dates = [column.kind == "datetime" for column in table.columns]
    for values in table.values():
        sheet.append(
            [_cell(sheet, v) if d else _safe_text(v) for v, d in zip(values, dates, strict=True)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd hh:mm:ss"
    return cell


def _plain(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value
