"""``uzor-admin summarize_reports [--days N] [--again]``: fill the reports' per-day summaries.

The reports summarize the settled days they cover by themselves; this does it ahead of time
(e.g. from a daily timer, or after an upgrade brought a year of records) and, with ``--again``,
summarizes days anew (call records the agency wrote late for an already summarized day).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...models import SummarizedDay
from ...reports import summary
from ...reports.periods import MAX_DAYS, Period


class Command(BaseCommand):
    help = "Summarize the settled days of the last N days for the reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=400, help="how far back (default 400)")
        parser.add_argument("--again", action="store_true", help="summarize them anew")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}")
        today = timezone.localdate()
        period = Period(today - timedelta(days=days - 1), today)
        settled, _live = period.split(timezone.now())
        if options["again"] and settled:
            SummarizedDay.objects.filter(day__gte=settled[0], day__lte=settled[-1]).delete()
        count = summary.summarize(settled)
        self.stdout.write(f"summarized {count} day(s) of {len(settled)} settled")
