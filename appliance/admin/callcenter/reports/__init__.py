"""The reports over call records and operator time (SPEC EXT-3, issue 17 item 5).

``periods`` turns local dates into UTC bounds and tells settled days from live ones;
``summary`` keeps the per-day summary tables filled and answers from them (plus a live
recount of the days not settled yet); ``definitions`` builds each report as a ``Table``;
``charts`` draws a table as SVG; ``export`` writes CSV and XLSX.
"""
