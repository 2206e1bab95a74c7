"""Signal handlers: built-in contexts survive every delete path; deleted sounds lose their file;
every change of a call-center object bumps the change counter the agency polls."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from simple_history.models import HistoricalChanges

from .models import (
    ChangeCounter,
    Context,
    Sound,
    SupervisionEvent,
    note_change,
    refuse_builtin_delete,
)


@receiver(pre_delete, sender=Context)
def keep_builtin_contexts(sender: type[Context], instance: Context, **kwargs: Any) -> None:
    refuse_builtin_delete([instance])


@receiver(post_delete, sender=Sound)
def remove_sound_file(sender: type[Sound], instance: Sound, **kwargs: Any) -> None:
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


def _watched(model: type[models.Model]) -> bool:
    """A call-center model the agency may read (not the counter itself, not history rows, not
    the historical models of a data migration, which may run before the counter exists)."""
    return (
        model._meta.apps is global_apps
        and model._meta.app_label == "callcenter"
        and model is not ChangeCounter
        and model is not SupervisionEvent  # a log the agency never reads
        and not issubclass(model, HistoricalChanges)
    )


@receiver(post_save)
@receiver(post_delete)
def note_saved_or_deleted(sender: type[models.Model], **kwargs: Any) -> None:
    if _watched(sender):
        note_change()


@receiver(m2m_changed)
def note_relation_change(sender: type[models.Model], action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and _watched(sender):
        note_change()
