"""Signal handlers: the built-in contexts survive every delete path (including bulk)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import Context, refuse_builtin_delete


@receiver(pre_delete, sender=Context)
def keep_builtin_contexts(sender: type[Context], instance: Context, **kwargs: Any) -> None:
    refuse_builtin_delete([instance])
