"""``uzor-admin purge_recordings``: delete the call recordings older than the retention period.

The period is the admin's "Recording settings" (``RecordingPolicy.retention_days``);
``--days`` overrides it for one run. Each old recording's file is deleted, then its row; the log
of who listened (``RecordingAccess``) stays. ``uzor-recordings-purge.timer`` runs it daily.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ...models import Recording, RecordingPolicy
from ...models.recording import MAX_RETENTION_DAYS

BATCH = 500


class Command(BaseCommand):
    help = "Delete call recordings (files and rows) older than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="keep this many days instead of the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] or RecordingPolicy.current().retention_days
        if not 1 <= days <= MAX_RETENTION_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_RETENTION_DAYS}")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted = 0
        while True:
            batch = list(Recording.objects.filter(started_at__lt=cutoff).order_by("id")[:BATCH])
            if not batch:
                break
            for recording in batch:
                if recording.file:
                    recording.file.delete(save=False)  # a missing file is no error
            Recording.objects.filter(pk__in=[r.pk for r in batch]).delete()
            deleted += len(batch)
        self.stdout.write(f"deleted {deleted} recording(s) older than {days} day(s)")
