"""A table drawn as a horizontal stacked bar chart in SVG, rendered on the server (no script)."""

from __future__ import annotations

from html import escape
from typing import Any

from .definitions import Table

BAR, GAP, LABEL_WIDTH, PLOT_WIDTH, LEGEND = 16, 6, 260, 520, 28
COLOURS = ("#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00")
MAX_BARS = 60  # a longer chart draws the largest bars only


def bar_chart(table: Table) -> str:
    """The table's chart as an <svg> element ('' when it has none or nothing to draw)."""
    chart = table.chart
    if chart is None:
        return ""
    rows = chart.rows or table.rows
    labels = {c.key: str(c.label) for c in table.columns} | {
        k: str(v) for k, v in chart.labels.items()
    }
    values = [[_number(row.get(key)) for key in chart.series] for row in rows]
    totals = [sum(v) for v in values]
    order = sorted(range(len(rows)), key=lambda i: -totals[i])[:MAX_BARS]
    order.sort()
    top = max((totals[i] for i in order), default=0)
    if not order or top <= 0:
        return ""
    height = LEGEND + len(order) * (BAR + GAP)
    width = LABEL_WIDTH + PLOT_WIDTH + 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="uzor-chart" role="img" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}"'
        ' font-family="sans-serif" font-size="12">',
        f"<title>{escape(str(table.title))}</title>",
    ]
    x = float(LABEL_WIDTH)
    for index, key in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14">{escape(labels.get(key, key))}</text>')
        x += 30 + 7 * len(labels.get(key, key))
    for line, i in enumerate(order):
        y = LEGEND + line * (BAR + GAP)
        label = str(rows[i].get(chart.label_column, ""))
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR - 4}" text-anchor="end">'
            f"{escape(label[:40])}</text>"
        )
        x = float(LABEL_WIDTH)
        for index, value in enumerate(values[i]):
            length = PLOT_WIDTH * value / top
            if length > 0:
                colour = COLOURS[index % len(COLOURS)]
                name = escape(labels.get(chart.series[index], ""))
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR}"'
                    f' fill="{colour}"><title>{name}: {_shown(value)}</title></rect>'
                )
                x += length
        parts.append(f'<text x="{x + 4:.1f}" y="{y + BAR - 4}">{_shown(totals[i])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _shown(value: float) -> str:
    return f"{value:g}"
