"""CSV and XLSX of a report table: formulas are defused, phone numbers stay as they are, both
read back (the XLSX with openpyxl)."""

import csv
import io
from datetime import datetime

import openpyxl

from appliance.admin.callcenter.reports.charts import bar_chart
from appliance.admin.callcenter.reports.definitions import Chart, Column, Table
from appliance.admin.callcenter.reports.export import to_csv, to_xlsx


def table() -> Table:
    columns = [
        Column("name", "name"),
        Column("calls", "calls", "count"),
        Column("at", "at", "datetime"),
    ]
    rows = [
        {"name": '=HYPERLINK("http://x")', "calls": 3, "at": datetime(2026, 12, 1, 9, 30)},
        {"name": "+79161234567", "calls": 0, "at": None},
        {"name": "<script>", "calls": 5, "at": datetime(2026, 12, 2, 10, 0)},
    ]
    return Table("test", "Test", columns, rows, Chart("name", ["calls"]))


def test_csv_defuses_formulas_and_keeps_phone_numbers():
    rows = list(csv.reader(io.StringIO(to_csv(table()).decode("utf-8-sig"))))
    assert rows[0] == ["name", "calls", "at"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "3", "2026-12-01 09:30:00"]
    assert rows[2] == ["+79161234567", "0", ""]


def test_xlsx_reads_back_with_numbers_and_dates():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table()))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("name", "calls", "at")
    assert values[1] == ('\'=HYPERLINK("http://x")', 3, datetime(2026, 12, 1, 9, 30))
    assert values[2] == ("+79161234567", 0, None)


def test_the_chart_escapes_labels_and_draws_one_bar_per_row_with_a_value():
    svg = bar_chart(table())
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('height="16" fill=') == 2  # the row with 0 calls draws no bar
