"""``{{ count|objects_of:opts }}``: "2 юнита АТС", not Django's "2 юниты АТС".

Django's admin names a number of objects with verbose_name when it is 1 and verbose_name_plural
otherwise, the English rule. ``model_ngettext`` (used here, and by Django for its messages) asks
the catalog for the plural form of the translated names, which our Russian catalog provides."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.admin.utils import model_ngettext

register = template.Library()


@register.filter
def objects_of(count: int, opts: Any) -> str:
    return f"{count} {model_ngettext(opts, count)}"
