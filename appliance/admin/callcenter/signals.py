"""Signal handlers: built-in contexts survive every delete path; deleted sounds lose their file."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from .models import Context, Sound, refuse_builtin_delete


@receiver(pre_delete, sender=Context)
def keep_builtin_contexts(sender: type[Context], instance: Context, **kwargs: Any) -> None:
    refuse_builtin_delete([instance])


@receiver(post_delete, sender=Sound)
def remove_sound_file(sender: type[Sound], instance: Sound, **kwargs: Any) -> None:
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
